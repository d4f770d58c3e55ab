# Caddie's exec-wrapper decoder, for the wrappers its quick Java reader cannot follow: the payload split
# over many string literals, bound to a name first, minified one-liners, nested wrappers.
#
# Reads {"source": ..., "max_bytes": N} on stdin and prints {"decoded": base64, "chain": [...]} (the calls
# applied, innermost first, per layer), {"none": true} when no exec call decodes anything, or {"error": ...}.
# Only the payload expression is evaluated, by this file's own evaluator: string and bytes literals,
# `+` between them, names bound to such expressions at module level, and calls to the decoders of Python's
# base64 / binascii / codecs / lzma / zlib / gzip / bz2 modules. Nothing else runs, never exec; every
# decompressor is bounded, so a decompression bomb is a refusal, not an exhausted machine.
import base64, binascii, bz2, codecs, json, lzma, zlib

DECODERS = {
    "base64.b85decode", "base64.b64decode", "base64.urlsafe_b64decode", "base64.standard_b64decode", "base64.b32decode",
    "base64.b16decode", "base64.a85decode", "base64.decodebytes", "binascii.a2b_base64", "binascii.unhexlify", "binascii.a2b_hex",
    "codecs.decode", "lzma.decompress", "zlib.decompress", "gzip.decompress", "bz2.decompress", "bytes.fromhex",
}
MODULES = {"base64", "binascii", "codecs", "lzma", "zlib", "gzip", "bz2"}


class Refused(Exception):
    pass


class Module:
    def __init__(self, name):
        self.name = name


class Func:
    def __init__(self, name):
        self.name = name


def bounded(data, make, limit, what):
    d = make()
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        raise Refused("%s decodes to more than {:,} bytes (a decompression bomb?); no training script is that large".format(limit) % what)
    if not d.eof:
        raise Refused("%s fails: the compressed data ends before its end-of-stream marker (a truncated or corrupt payload)" % what)
    return out


class Evaluator:
    def __init__(self, tree, limit):
        self.limit = limit
        self.names = {}      # module-level name -> expression (the last binding before the exec wins)
        self.aliases = {}    # import alias -> Module or Func
        for node in tree.body:
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    self.aliases[a.asname or top] = Module(a.name if a.asname else top)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.aliases[a.asname or a.name] = Func(node.module + "." + a.name)
        self.chain = []

    def mentions_decoder(self, arg, depth=0):
        """Does the exec's argument (or a name it reads, bound at module level) call a decoder? exec(open(f).read()) does not."""
        for n in ast.walk(arg):
            if isinstance(n, ast.Call):
                leaf = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
                target = self.aliases.get(leaf)
                if any(d.endswith("." + leaf) for d in DECODERS) or (isinstance(target, Func) and target.name in DECODERS):
                    return True
            if isinstance(n, ast.Name) and n.id in self.names and depth < 4 and self.names[n.id] is not arg:
                if self.mentions_decoder(self.names[n.id], depth + 1):
                    return True
        return False

    def bind(self, node):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    self.names[t.id] = node.value

    def eval(self, n, depth=0):
        if depth > 200:
            raise Refused("the payload expression nests too deeply")
        if isinstance(n, ast.Constant):
            if isinstance(n.value, (str, bytes, int, bool)) or n.value is None:
                return n.value
            raise Refused("a %s literal" % type(n.value).__name__)
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            a, b = self.eval(n.left, depth + 1), self.eval(n.right, depth + 1)
            if type(a) is not type(b) or not isinstance(a, (str, bytes)):
                raise Refused("'+' between a %s and a %s" % (type(a).__name__, type(b).__name__))
            if len(a) + len(b) > self.limit:
                raise Refused("the payload is over %d bytes" % self.limit)
            return a + b
        if isinstance(n, ast.Name):
            if n.id in self.aliases:
                return self.aliases[n.id]
            if n.id in self.names:
                expr = self.names.pop(n.id)  # popped: a name bound to itself cannot loop
                try:
                    return self.eval(expr, depth + 1)
                finally:
                    self.names[n.id] = expr
            if n.id == "bytes":
                return Module("bytes")
            raise Refused("the name '%s', which is not bound to a literal at module level" % n.id)
        if isinstance(n, ast.Attribute):
            base = self.eval(n.value, depth + 1)
            if isinstance(base, Module):
                full = base.name + "." + n.attr
                if base.name in MODULES and n.attr.isupper():  # lzma.FORMAT_RAW, lzma.FILTER_LZMA2, zlib.MAX_WBITS
                    return getattr(globals()[base.name], n.attr)
                return Func(full)
            if isinstance(base, (str, bytes)) and n.attr in ("decode", "encode", "strip"):
                return ("method", base, n.attr)
            raise Refused("the attribute '%s'" % ast.unparse(n))
        if isinstance(n, (ast.List, ast.Tuple)):
            return [self.eval(e, depth + 1) for e in n.elts]
        if isinstance(n, ast.Dict):
            return {self.eval(k, depth + 1): self.eval(v, depth + 1) for k, v in zip(n.keys, n.values) if k is not None}
        if isinstance(n, ast.Call):
            f = self.eval(n.func, depth + 1)
            args = [self.eval(a, depth + 1) for a in n.args]
            kw = {k.arg: self.eval(k.value, depth + 1) for k in n.keywords if k.arg}
            if isinstance(f, tuple) and f[0] == "method":
                _, obj, meth = f
                if meth == "decode" and isinstance(obj, bytes):
                    return obj.decode(*(a for a in args if isinstance(a, str)))
                if meth == "encode" and isinstance(obj, str):
                    return obj.encode(*(a for a in args if isinstance(a, str)))
                if meth == "strip":
                    return obj.strip()
                raise Refused("the method call '%s'" % ast.unparse(n)[:80])
            if isinstance(f, Func):
                return self.call(f.name, args, kw, n)
            raise Refused("the call '%s'" % ast.unparse(n.func)[:80])
        raise Refused("the expression '%s'" % ast.unparse(n)[:80])

    def call(self, name, args, kw, node):
        if name not in DECODERS or not args:
            raise Refused("a call to %s (only %s are evaluated)" % (name, ", ".join(sorted(DECODERS))))
        data = args[0]
        if isinstance(data, str) and name != "codecs.decode" and name != "bytes.fromhex":
            data = data.encode("latin-1") if all(ord(c) < 256 for c in data) else data.encode("utf-8")
        self.chain.append(name)
        try:
            if name == "lzma.decompress":
                fmt = kw.get("format", args[1] if len(args) > 1 else lzma.FORMAT_AUTO)
                filters = kw.get("filters", args[3] if len(args) > 3 else None)
                return bounded(data, lambda: lzma.LZMADecompressor(format=fmt, filters=filters), self.limit, name)
            if name == "zlib.decompress":
                wbits = kw.get("wbits", args[1] if len(args) > 1 else zlib.MAX_WBITS)
                return bounded(data, lambda: zlib.decompressobj(wbits), self.limit, name)
            if name == "gzip.decompress":
                return bounded(data, lambda: zlib.decompressobj(31), self.limit, name)
            if name == "bz2.decompress":
                return bounded(data, bz2.BZ2Decompressor, self.limit, name)
            if name == "codecs.decode":
                enc = kw.get("encoding", args[1] if len(args) > 1 else "utf-8")
                if str(enc).replace("-", "_").lower() not in ("rot13", "rot_13", "base64", "base_64", "hex", "zlib", "zip", "bz2", "utf_8", "utf8", "latin_1", "ascii"):
                    raise Refused("codecs.decode with the codec %r" % enc)
                if str(enc).lower() in ("zlib", "zip"):
                    return bounded(data if isinstance(data, bytes) else data.encode("latin-1"), zlib.decompressobj, self.limit, name)
                if str(enc).lower() == "bz2":
                    return bounded(data if isinstance(data, bytes) else data.encode("latin-1"), bz2.BZ2Decompressor, self.limit, name)
                return codecs.decode(data, enc)
            if name == "bytes.fromhex":
                return bytes.fromhex(data if isinstance(data, str) else data.decode("ascii"))
            fn = getattr(globals()[name.split(".")[0]], name.split(".")[1])
            return fn(data, *args[1:], **kw)
        except Refused:
            raise
        except Exception as e:
            raise Refused("%s fails: %s" % (name, str(e) or type(e).__name__))


def payload_call(tree):
    """The exec (or exec(compile(...))) calls at module level, in order, with the statement each sits in."""
    for st in tree.body:
        for n in ast.walk(st):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("exec", "eval") and n.args:
                arg = n.args[0]
                if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "compile" and arg.args:
                    arg = arg.args[0]
                yield st, arg


def unwrap_once(source, limit):
    tree = parse(source)
    ev = Evaluator(tree, limit)
    refusal = None
    calls = list(payload_call(tree))
    for st in tree.body:
        for owner, arg in calls:
            if owner is not st:
                continue
            ev.chain = []
            try:
                out = ev.eval(arg)
            except Refused as r:
                if ev.chain:  # a decoder was reached and failed: this is the wrapper, and it is broken
                    raise Refused(str(r))
                if ev.mentions_decoder(arg):
                    refusal = ("its payload uses %s; Caddie evaluates only string literals, '+', names bound to them and the "
                               "base64/binascii/codecs/lzma/zlib/gzip/bz2 decoders, never the code itself" % r)
                continue
            if not ev.chain:
                continue  # exec("print(1)") or exec of a plain name: not a wrapper
            if isinstance(out, bytes):
                return out, list(ev.chain)
            if isinstance(out, str):
                return out.encode("utf-8"), list(ev.chain)
            raise Refused("the payload evaluates to a %s, not code" % type(out).__name__)
        ev.bind(st)
    if refusal:
        raise Refused(refusal)
    return written_and_run(tree, limit)


def written_and_run(tree, limit):
    """_c = lzma.decompress(...); open(f, "wb").write(_c); runpy.run_path(f): the payload is written to a file
    that the wrapper then runs (runpy, exec(open(...)), a python subprocess). That payload is the code that runs."""
    calls = [dotted(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    if not any(c in ("runpy.run_path", "runpy.run_module", "exec", "os.system", "os.execv", "os.execvp") or c.startswith("subprocess.") for c in calls):
        return None, []
    written = {a.id for n in ast.walk(tree) if isinstance(n, ast.Call) and dotted(n.func).endswith(".write") for a in n.args if isinstance(a, ast.Name)}
    ev = Evaluator(tree, limit)
    for st in tree.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) and st.targets[0].id in written \
                and ev.mentions_decoder(st.value):
            ev.chain = []
            out = ev.eval(st.value)
            if ev.chain and isinstance(out, (bytes, str)):
                return (out if isinstance(out, bytes) else out.encode("utf-8")), list(ev.chain)
        ev.bind(st)
    return None, []



def main():
    payload = json.loads(sys.stdin.read())
    limit = int(payload.get("max_bytes", 64 << 20))
    source, chain, layers = payload["source"], [], 0
    try:
        while layers < 8:
            out, calls = unwrap_once(source, limit)
            if out is None:
                break
            chain += calls
            layers += 1
            source = out.decode("utf-8", errors="replace")
            decoded = out
        if layers == 0:
            print(json.dumps({"none": True}))
            return
        print(json.dumps({"decoded": base64.b64encode(decoded).decode("ascii"), "chain": chain, "layers": layers}))
    except SyntaxError as e:
        if layers:
            print(json.dumps({"decoded": base64.b64encode(decoded).decode("ascii"), "chain": chain, "layers": layers}))
        else:
            print(json.dumps({"error": "not valid Python at line %s: %s" % (e.lineno, e.msg)}))
    except Refused as r:
        print(json.dumps({"error": str(r)}))


main()
