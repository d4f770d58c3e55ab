# Caddie's integrity lint for a Parameter Golf training script, on CPython's own parser.
#
# Reads the (decoded) source on stdin and prints JSON {"findings": [...]} or {"error": "..."}.
# It follows validation data from where it enters (the val shard glob and what is derived from it)
# through assignments, calls and loops, and records an ordered trace of events from the entry point:
#   VTRAIN  validation data reaches a training sink (backward, autograd.grad, in-place update)
#   SCORE   validation loss or byte counts are accumulated (the evaluation's sums)
#   RTRAIN  training shards are read (the train glob, or a loader built on it)
#   WRITE   something is serialized (torch.save, pickle, a file write): the artifact
#   NET     a download or socket
# and judges the trace by the challenge's rules. Loops are kept in the trace so that score-first
# test-time training (each chunk scored, then trained on) is told apart from training first.
import ast, json, re, sys

VAL_GLOB = re.compile(r"(^|[^a-z])val(idation)?([^a-z]|$).*(\*|\.bin)|\*.*val", re.I)
TRAIN_GLOB = re.compile(r"train.*(\*|\.bin)|\*.*train", re.I)
VAL_NAME = re.compile(r"^(val|valid|validation)_(tokens|data|ids|stream|loader|seqs|files|shards?)$|^val_toks?$", re.I)
TRAIN_NAME = re.compile(r"^train_(files|shards?|pattern|glob)$", re.I)
SHAPE_CALLS = {"len", "numel", "size", "dim", "ndim", "nelement", "range", "isinstance", "print", "log", "log0", "str", "repr", "type"}
MATH_MODULES = {"np", "numpy", "torch", "math", "F", "jnp", "scipy"}


def shape_call(call):
    """len(x), x.numel(), print(...), log0(...): sizes and logging, not data. np.log(p) and torch.log(p) are data."""
    name = dotted(call.func)
    leaf = name.split(".")[-1]
    if leaf not in SHAPE_CALLS:
        return False
    if leaf == "log" and isinstance(call.func, ast.Attribute) and (name.split(".")[0] in MATH_MODULES or not call.args):
        return False
    return True
SHAPE_ATTRS = {"shape", "dtype", "device", "ndim"}
SCORE_TARGET = re.compile(r"loss|nll|bpb|bits|byte|tok(en)?_?count|count", re.I)
NET_CALLS = re.compile(r"^(requests\.\w+|urllib\.request\.\w+|urlopen|urlretrieve|http\.client\.\w+|socket\.(socket|create_connection)|"
                       r"hf_hub_download|snapshot_download|load_dataset|torch\.hub\.\w+|download_url_to_file|wget\.download|"
                       r"huggingface_hub\.\w+)$")
INPLACE = {"add_", "sub_", "mul_", "copy_", "index_add_", "index_copy_", "scatter_add_", "addcmul_", "addcdiv_", "lerp_"}
ARTIFACT_WRITES = {"torch.save", "pickle.dump", "np.save", "np.savez", "np.savez_compressed", "numpy.save", "safetensors.torch.save_file", "save_file"}
CALIB_FN = re.compile(r"hessian|calib|gptq", re.I)
MAX_DEPTH = 12


class Program:
    def __init__(self, tree, src_lines):
        self.tree = tree
        self.lines = src_lines
        self.funcs = {}          # name -> FunctionDef (bare names; methods also as Class.method)
        self.methods = {}        # bare method name -> [FunctionDef]
        self.classes = {}
        self.val_attrs, self.train_attrs = set(), set()
        self.reserve = False
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.funcs[node.name + "." + item.name] = item
                        self.methods.setdefault(item.name, []).append(item)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, node)
            # Time held back from the training cap for post-training work: gptq_reserve_seconds, calib_reserve_ms, ...
            if isinstance(node, (ast.Name, ast.Attribute)) and re.search(r"(^|_)reserve(_|$)", dotted(node).split(".")[-1], re.I):
                self.reserve = True
            # max_wallclock_ms - 14000, args.max_wallclock_seconds - calib_seconds: the cap is cut short for work after training
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and re.search(r"wallclock|time_budget|time_limit|max_time|train_seconds|budget_s",
                                                                                         ast.unparse(node.left), re.I) \
                    and not (isinstance(node.right, ast.Constant) and node.right.value in (0, 0.0)) and re.search(r"calib|gptq|quant|hessian|\d{3,}",
                                                                                                                 ast.unparse(node.right), re.I):
                self.reserve = True
        self._global_sources()

    def _global_sources(self):
        # Configuration that names the shards: module constants and class-body fields (Hyperparameters)
        # assigned a val or train shard pattern, and attributes (self.x, args.x) assigned from those.
        # Function-local names are not global; the tracer follows them per function.
        scoped = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Module, ast.ClassDef)):
                scoped += [(st, True) for st in node.body if isinstance(st, (ast.Assign, ast.AnnAssign))]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Attribute) for t in targets):
                    scoped.append((node, False))
        for _ in range(3):
            for st, _module in scoped:
                if st.value is None:
                    continue
                targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                v = self.config_mentions(st.value, self.val_attrs, VAL_GLOB, VAL_NAME)
                t = self.config_mentions(st.value, self.train_attrs, TRAIN_GLOB, TRAIN_NAME)
                for tg in targets:
                    for name in self.target_names(tg):
                        leaf = name.split(".")[-1]
                        if v:
                            self.val_attrs.add(leaf)
                        if t:
                            self.train_attrs.add(leaf)

    @staticmethod
    def config_mentions(expr, attrs, glob, name_re):
        for n in ast.walk(expr):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and glob.search(n.value) and len(n.value) < 200:
                return True
            if isinstance(n, ast.Attribute) and (n.attr in attrs or name_re.match(n.attr)):
                return True
        return False

    @staticmethod
    def target_names(t):
        if isinstance(t, (ast.Tuple, ast.List)):
            out = []
            for e in t.elts:
                out += Program.target_names(e)
            return out
        if isinstance(t, ast.Starred):
            return Program.target_names(t.value)
        if isinstance(t, ast.Subscript):
            return Program.target_names(t.value)
        d = dotted(t)
        return [d] if d else []

    def resolve(self, call):
        """The function a call runs (None when unknown): plain functions, Class(...) -> __init__, obj.method() when unique."""
        f = call.func
        if isinstance(f, ast.Name):
            if f.id in self.classes:
                return self.funcs.get(f.id + ".__init__")
            return self.funcs.get(f.id)
        if isinstance(f, ast.Attribute):
            cands = self.methods.get(f.attr, [])
            if len(cands) == 1:
                return cands[0]
        return None


UNKNOWN = object()
ENV_GETS = {"os.environ.get", "environ.get", "os.getenv", "getenv"}


class Defaults:
    """The configuration a script runs with when nobody sets anything: environment defaults, getattr
    defaults, argparse defaults and constants. Code behind a flag that is off by default is not what the
    challenge runs; the tracer marks it, and its findings become review notes that name the flag."""

    def __init__(self, prog):
        self.prog = prog
        self.consts = {}      # module-level name -> value
        self.fields = {}      # config attribute leaf -> value (UNKNOWN when two definitions disagree)
        self.env = {}         # config attribute leaf or constant -> (environment variable, its default as written)
        self.simple = {}      # module function whose body is one return: name -> FunctionDef (env_flag("X", 0) helpers)
        tree = prog.tree
        for st in tree.body:
            if isinstance(st, ast.FunctionDef) and len(st.body) <= 8:
                self.simple[st.name] = st
        for st in tree.body:
            self._bind_assign(st, module=True)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for st in node.body:
                    self._bind_assign(st, module=False)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute) \
                    and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == "self" and self._reads_env(node.value):
                self._field(node.targets[0].attr, node.value)
            elif isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "add_argument" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) and node.args[0].value.startswith("--"):
                name = node.args[0].value.lstrip("-").replace("-", "_")
                kw = {k.arg: k.value for k in node.keywords}
                action = kw.get("action")
                if isinstance(action, ast.Constant) and action.value in ("store_true", "store_false"):
                    self._set(name, action.value == "store_false")
                elif "default" in kw:
                    self._set(name, self.value(kw["default"], {}))
                else:
                    self._set(name, None)
                self.env.setdefault(name, (node.args[0].value, None))

    def _reads_env(self, expr):
        return any(isinstance(n, ast.Call) and (dotted(n.func) in ENV_GETS or self._env_helper(n)) for n in ast.walk(expr))

    def _env_helper(self, call):
        """_e("TEMP_SCALING", 0, bool): a module helper called with an environment variable's name."""
        return isinstance(call.func, ast.Name) and call.func.id in self.simple and call.args and isinstance(call.args[0], ast.Constant) \
            and isinstance(call.args[0].value, str) and re.match(r"^[A-Z][A-Z0-9_]+$", call.args[0].value) is not None

    def _bind_assign(self, st, module):
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            name, expr = st.targets[0].id, st.value
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value is not None:
            name, expr = st.target.id, st.value
        else:
            return
        if module:
            v = self.value(expr, {})
            if v is not UNKNOWN:
                self.consts[name] = v
            else:
                self.consts.pop(name, None)
            if self._reads_env(expr):
                self._field(name, expr)
        else:
            self._field(name, expr)

    def _field(self, name, expr):
        self._set(name, self.value(expr, {}))
        for n in ast.walk(expr):
            if isinstance(n, ast.Call) and (dotted(n.func) in ENV_GETS or self._env_helper(n)) and n.args and isinstance(n.args[0], ast.Constant):
                default = n.args[1] if len(n.args) > 1 else None
                self.env[name] = (n.args[0].value, ast.unparse(default) if default is not None else "unset")
                break

    def _set(self, name, v):
        if name in self.fields and self.fields[name] != v:
            self.fields[name] = UNKNOWN  # two configurations disagree: no default to judge by
        else:
            self.fields[name] = v

    def value(self, n, local, depth=0):
        if depth > 40 or n is None:
            return UNKNOWN
        try:
            return self._value(n, local, depth)
        except Exception:
            return UNKNOWN

    def _value(self, n, local, depth):
        v = lambda x: self.value(x, local, depth + 1)
        if isinstance(n, ast.Constant):
            return n.value
        if isinstance(n, ast.Name):
            if n.id in local:
                return local[n.id]
            if n.id in self.consts:
                return self.consts[n.id]
            return {"int": int, "float": float, "bool": bool, "str": str}.get(n.id, UNKNOWN)
        if isinstance(n, ast.Attribute):
            if isinstance(n.value, (ast.Name, ast.Attribute)) and n.attr in self.fields and dotted(n.value).split(".")[0] not in ("os", "torch", "np", "math"):
                return self.fields[n.attr]
            base = v(n.value)
            if isinstance(base, str) and n.attr in ("lower", "upper", "strip"):
                return ("method", base, n.attr)
            return UNKNOWN
        if isinstance(n, ast.Call):
            name = dotted(n.func)
            args = n.args
            if name in ENV_GETS:
                return v(args[1]) if len(args) > 1 else None
            if name == "getattr" and len(args) >= 2 and isinstance(args[1], ast.Constant):
                if args[1].value in self.fields:
                    return self.fields[args[1].value]
                return v(args[2]) if len(args) > 2 else UNKNOWN
            if name in ("int", "float", "bool", "str") and len(args) == 1:
                x = v(args[0])
                return UNKNOWN if x is UNKNOWN else {"int": int, "float": float, "bool": bool, "str": str}[name](x)
            if name in self.simple and not n.keywords:
                fn = self.simple[name]
                params = [a.arg for a in fn.args.args]
                defaults = fn.args.defaults
                bound = {}
                for i, p in enumerate(params):
                    if i < len(args):
                        bound[p] = v(args[i])
                    elif i >= len(params) - len(defaults):
                        bound[p] = v(defaults[i - (len(params) - len(defaults))])
                    else:
                        return UNKNOWN
                return self._run(fn.body, bound, depth + 1)
            f = v(n.func)
            if isinstance(f, tuple) and f[0] == "method":
                return getattr(f[1], f[2])()
            if f in (int, float, bool, str) and len(args) == 1:
                x = v(args[0])
                return UNKNOWN if x is UNKNOWN else f(x)
            return UNKNOWN
        if isinstance(n, ast.UnaryOp):
            x = v(n.operand)
            if x is UNKNOWN:
                return UNKNOWN
            return {ast.Not: lambda a: not a, ast.USub: lambda a: -a, ast.UAdd: lambda a: +a, ast.Invert: lambda a: ~a}[type(n.op)](x)
        if isinstance(n, ast.BoolOp):
            vals = [v(x) for x in n.values]
            if isinstance(n.op, ast.And):
                for x in vals:
                    if x is not UNKNOWN and not x:
                        return x
                return UNKNOWN if any(x is UNKNOWN for x in vals) else vals[-1]
            for x in vals:
                if x is not UNKNOWN and x:
                    return x
            return UNKNOWN if any(x is UNKNOWN for x in vals) else vals[-1]
        if isinstance(n, ast.Compare):
            left = v(n.left)
            for op, right in zip(n.ops, n.comparators):
                r = v(right)
                if left is UNKNOWN or r is UNKNOWN:
                    return UNKNOWN
                ok = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
                      ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
                      ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}[type(op)](left, r)
                if not ok:
                    return False
                left = r
            return True
        if isinstance(n, ast.BinOp):
            a, b = v(n.left), v(n.right)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y, ast.Mult: lambda x, y: x * y, ast.Div: lambda x, y: x / y,
                    ast.FloorDiv: lambda x, y: x // y, ast.Mod: lambda x, y: x % y}[type(n.op)](a, b)
        if isinstance(n, ast.IfExp):
            t = v(n.test)
            return UNKNOWN if t is UNKNOWN else (v(n.body) if t else v(n.orelse))
        if isinstance(n, (ast.Tuple, ast.List, ast.Set)):
            items = [v(e) for e in n.elts]
            return UNKNOWN if any(x is UNKNOWN for x in items) else tuple(items)
        return UNKNOWN

    def _run(self, body, local, depth):
        """A small helper's straight-line body (assignments, ifs, returns) under known arguments: _e("X", 0, bool)."""
        local = dict(local)
        for st in body:
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                continue
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                local[st.targets[0].id] = self.value(st.value, local, depth + 1)
            elif isinstance(st, ast.Return):
                return self.value(st.value, local, depth + 1) if st.value is not None else None
            elif isinstance(st, ast.If):
                t = self.value(st.test, local, depth + 1)
                if t is UNKNOWN:
                    return UNKNOWN
                branch = st.body if t else st.orelse
                if branch and isinstance(branch[-1], ast.Return):
                    return self._run(branch, local, depth + 1)
                if branch:
                    return UNKNOWN
            else:
                return UNKNOWN
        return UNKNOWN

    def describe(self, test, local):
        """The flags a condition reads, as a user would set them: SLOT_ENABLED (default "0")."""
        parts = []
        for n in ast.walk(test):
            leaf = None
            if isinstance(n, ast.Attribute) and n.attr in self.fields:
                leaf = n.attr
            elif isinstance(n, ast.Call) and dotted(n.func) == "getattr" and len(n.args) >= 2 and isinstance(n.args[1], ast.Constant):
                leaf = n.args[1].value
            elif isinstance(n, ast.Name) and n.id in self.env:
                leaf = n.id
            elif isinstance(n, ast.Call) and dotted(n.func) in ENV_GETS and n.args and isinstance(n.args[0], ast.Constant):
                d = ast.unparse(n.args[1]) if len(n.args) > 1 else "unset"
                parts.append("%s (default %s)" % (n.args[0].value, d))
            elif isinstance(n, ast.Name) and n.id in local.get("__defs__", {}):
                parts.append(self.describe(local["__defs__"][n.id], local))
            if leaf is not None:
                env = self.env.get(leaf)
                parts.append("%s (default %s)" % (env[0], env[1]) if env else "%s (default %r)" % (leaf, self.fields.get(leaf)))
        parts = [p for p in dict.fromkeys(parts) if p]
        return ", ".join(parts) if parts else "`%s`" % ast.unparse(test)[:60]


class Event:
    def __init__(self, kind, line, chain, loops, text=""):
        self.kind, self.line, self.chain, self.loops, self.text = kind, line, chain, loops, text


class Tracer:
    """Walks a function body in order with a set of val-tainted names, appending events."""

    def __init__(self, prog):
        self.prog = prog
        self.defaults = Defaults(prog)
        self.events = []
        self.stack = []
        self.frames = []     # one id per function invocation on the way, innermost last
        self.frame_ids = 0
        self.locals = []     # per invocation: local names bound once to a value known by default
        self.gates = []      # flags that are off by default around the code being walked
        self.train_names = []  # per invocation: locals that hold a training-data reader (train_loader)
        self.source = None  # (line, name) where validation shards are first named on the way

    def run_function(self, fn, tainted_params, call_chain, loops, depth):
        if depth > MAX_DEPTH or fn in self.stack:
            return
        self.stack.append(fn)
        self.frame_ids += 1
        self.frames.append(self.frame_ids)
        self.locals.append(self._local_constants(fn))
        self.train_names.append(set(getattr(self, "pending_train", set())))
        self.pending_train = set()
        tainted = set(tainted_params)
        origin = {}
        # Taint follows the statements in order (a name rebound from training data is clean again); loops are
        # settled to a fixpoint first, since what one pass taints the next pass reads.
        self._walk(fn.body, tainted, origin, call_chain, loops, depth, ctx_nograd=self._decorated_nograd(fn))
        self.locals.pop()
        self.train_names.pop()
        self.frames.pop()
        self.stack.pop()

    def _local_constants(self, fn):
        """Names bound exactly once in the function to a value the default configuration decides
        (use_slot = getattr(args, 'slot_enabled', False)), so `if use_slot:` is judged by that value."""
        counts, exprs = {}, {}
        for n in ast.walk(fn):
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                for t in targets:
                    for x in ast.walk(t):
                        if isinstance(x, ast.Name):
                            counts[x.id] = counts.get(x.id, 0) + 1
                            if isinstance(n, ast.Assign) and len(n.targets) == 1 and t is x:
                                exprs[x.id] = n.value
            elif isinstance(n, (ast.For, ast.comprehension, ast.withitem)):
                tgt = n.target if not isinstance(n, ast.withitem) else n.optional_vars
                for x in ast.walk(tgt) if tgt is not None else []:
                    if isinstance(x, ast.Name):
                        counts[x.id] = counts.get(x.id, 0) + 2
        params = {a.arg for a in fn.args.args + fn.args.kwonlyargs} if hasattr(fn, "args") else set()
        local = {"__defs__": {}}
        for name, expr in exprs.items():
            if counts.get(name) == 1 and name not in params:
                val = self.defaults.value(expr, local)
                if val is not UNKNOWN:
                    local[name] = val
                    local["__defs__"][name] = expr
        return local

    def _verdict(self, test):
        """True/False when the default configuration decides the condition, else None."""
        local = self.locals[-1] if self.locals else {}
        v = self.defaults.value(test, local)
        if v is UNKNOWN or isinstance(v, tuple):
            return None
        try:
            return bool(v)
        except Exception:
            return None

    def _event(self, kind, line, chain, loops, text=""):
        ev = Event(kind, line, chain, loops, text)
        ev.gates = tuple(self.gates)
        ev.frames = tuple(self.frames)
        ev.fn = self.stack[-1] if self.stack else None
        self.events.append(ev)
        return ev

    @staticmethod
    def _decorated_nograd(fn):
        for d in getattr(fn, "decorator_list", []):
            if re.search(r"no_grad|inference_mode", dotted(d)):
                return True
        return False

    def tainted(self, expr, tainted):
        if expr is None:
            return False
        for n in ast.walk(expr):
            if isinstance(n, ast.Call) and shape_call(n):
                continue
            if isinstance(n, ast.Attribute) and n.attr in SHAPE_ATTRS:
                continue
            if isinstance(n, ast.Name) and n.id in tainted:
                if not self._only_shape_use(expr, n):
                    return True
            if isinstance(n, ast.Attribute):
                d = dotted(n)
                if d in tainted or n.attr in self.prog.val_attrs or VAL_NAME.match(n.attr):
                    if not self._only_shape_use(expr, n):
                        return True
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and VAL_GLOB.search(n.value) and len(n.value) < 200:
                return True
        return False

    @staticmethod
    def _only_shape_use(expr, node):
        # x.numel(), len(x), x.shape[0], x.size(0): sizes, not data.
        for p in ast.walk(expr):
            if isinstance(p, ast.Call):
                name = dotted(p.func).split(".")[-1]
                if shape_call(p) and (node in list(ast.walk(p.func)) or any(node in list(ast.walk(a)) for a in p.args)):
                    return True
            if isinstance(p, ast.Attribute) and p.attr in SHAPE_ATTRS and node in list(ast.walk(p.value)):
                return True
        return False

    def _propagate(self, node, tainted, origin):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            if self.tainted(node.value, tainted):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for name in Program.target_names(t):
                        if name not in tainted:
                            tainted.add(name)
                            origin.setdefault(name, node.lineno)
        elif isinstance(node, (ast.For, ast.comprehension)):
            if self.tainted(node.iter, tainted):
                for name in Program.target_names(node.target):
                    tainted.add(name)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None and self.tainted(node.context_expr, tainted):
            for name in Program.target_names(node.optional_vars):
                tainted.add(name)

    def _walk(self, stmts, tainted, origin, chain, loops, depth, ctx_nograd):
        pushed = 0
        for st in stmts:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(st, (ast.For, ast.While, ast.AsyncFor)):
                self._settle(st, tainted, origin)
                loop = (id(st), st.lineno, tuple(n.id for n in ast.walk(st.target) if isinstance(n, ast.Name)) if not isinstance(st, ast.While) else (), st)
                self._exprs(st.iter if not isinstance(st, ast.While) else st.test, tainted, origin, chain, loops, depth, ctx_nograd, st)
                if not isinstance(st, ast.While) and self.tainted(st.iter, tainted):
                    for name in Program.target_names(st.target):
                        tainted.add(name)
                self._walk(st.body, tainted, origin, chain, loops + (loop,), depth, ctx_nograd)
                self._walk(st.orelse, tainted, origin, chain, loops, depth, ctx_nograd)
                continue
            if isinstance(st, (ast.With, ast.AsyncWith)):
                ng = ctx_nograd or any(re.search(r"no_grad|inference_mode", dotted(i.context_expr)) for i in st.items)
                for i in st.items:
                    self._exprs(i.context_expr, tainted, origin, chain, loops, depth, ctx_nograd, st)
                    if i.optional_vars is not None and self.tainted(i.context_expr, tainted):
                        for name in Program.target_names(i.optional_vars):
                            tainted.add(name)
                self._walk(st.body, tainted, origin, chain, loops, depth, ng)
                continue
            if isinstance(st, ast.If):
                self._exprs(st.test, tainted, origin, chain, loops, depth, ctx_nograd, st)
                verdict = self._verdict(st.test)
                branches = []
                for block, on in ((st.body, True), (st.orelse, False)):
                    t = set(tainted)
                    off = verdict is not None and verdict != on
                    if off:  # not what runs by default: walked, but its findings name the flag
                        self.gates.append(self.defaults.describe(st.test, self.locals[-1] if self.locals else {}))
                    self._walk(block, t, origin, chain, loops, depth, ctx_nograd)
                    if off:
                        self.gates.pop()
                    else:
                        branches.append(t)
                tainted.clear()
                for t in branches:
                    tainted |= t
                # `if not args.ttt_enabled: return` - the rest of this block runs only with the flag on.
                taken = st.body if verdict else st.orelse
                if verdict is not None and taken and isinstance(taken[-1], (ast.Return, ast.Raise)):
                    self.gates.append(self.defaults.describe(st.test, self.locals[-1] if self.locals else {}))
                    pushed += 1
                continue
            if isinstance(st, ast.Try):
                for block in (st.body, *[h.body for h in st.handlers], st.orelse, st.finalbody):
                    self._walk(block, tainted, origin, chain, loops, depth, ctx_nograd)
                continue
            if isinstance(st, (ast.AugAssign, ast.Assign)) and self._param_update(st, tainted):
                self._event("VTRAIN", st.lineno, chain, loops, ast.unparse(st)[:60])
            if isinstance(st, ast.AugAssign) and isinstance(st.op, ast.Add) and self.tainted(st.value, tainted):
                tgt = " ".join(Program.target_names(st.target))
                if ctx_nograd or SCORE_TARGET.search(tgt):
                    self._score(st, tgt, tainted, chain, loops)
                elif isinstance(st.target, ast.Subscript) and self.tainted(st.target.slice, tainted):
                    self._event("COUNT", st.lineno, chain, loops, tgt)
            # loss_sum = torch.tensor(float(nll.sum())): a score summed in one go, not accumulated
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and re.search(r"(loss|nll|bits)_?(sum|total)", " ".join(Program.target_names(st.targets[0])), re.I) \
                    and self.tainted(st.value, tainted):
                self._score(st, " ".join(Program.target_names(st.targets[0])), tainted, chain, loops)
            self._exprs(st, tainted, origin, chain, loops, depth, ctx_nograd, st)
            self._assign(st, tainted, origin)
        for _ in range(pushed):
            self.gates.pop()

    def _score(self, st, what, tainted, chain, loops):
        ev = self._event("SCORE", st.lineno, chain, loops, what)
        ev.targets = self._targets(st.value, tainted)
        ev.reads, exprs = self._closure(st.value)
        ev.reads = set(ev.reads)
        ev.mask = self._prefix_mask(exprs, tainted)
        return ev

    def _prefix_mask(self, exprs, tainted):
        """The line where the loss being scored is zeroed or rewritten by comparing the targets with a stored
        token table (scored_nll *= ~(prefix[i] == y)): tokens shipped with the artifact stand in for predictions."""
        for e in exprs:
            if not isinstance(e, (ast.Assign, ast.AugAssign)):
                continue
            for c in ast.walk(e.value):
                if not (isinstance(c, ast.Compare) and len(c.ops) == 1 and isinstance(c.ops[0], (ast.Eq, ast.NotEq))):
                    continue
                sides = [c.left, c.comparators[0]]
                clean = [x for x in sides if not self.tainted(x, tainted)]
                if len(clean) != 1 or len(sides) - len(clean) != 1:
                    continue
                other = clean[0]
                names, sub = self._closure(other, limit=3)
                if any(isinstance(x, ast.Subscript) for y in sub for x in ast.walk(y)) and not isinstance(other, ast.Constant) \
                        and not re.search(r"pad|ignore|bos|eos|sep|mask|boundary", ast.unparse(other), re.I):
                    return e.lineno
            # the compare may sit in the mask's own assignment; the masking line is what multiplies it in
        return None

    def _settle(self, loop, tainted, origin):
        """What a loop's body taints reaches its next pass: weak propagation over the loop to a fixpoint."""
        for _ in range(6):
            before = len(tainted)
            for node in ast.walk(loop):
                self._propagate(node, tainted, origin)
            if len(tainted) == before:
                break

    def _assign(self, st, tainted, origin):
        if isinstance(st, ast.Assign) and self.train_names:
            names = [x for t in st.targets for x in Program.target_names(t) if "." not in x]
            if Program.config_mentions(st.value, self.prog.train_attrs, TRAIN_GLOB, TRAIN_NAME):
                self.train_names[-1].update(names)
            else:
                self.train_names[-1].difference_update(names)
        if isinstance(st, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and st.value is not None:
            targets = st.targets if isinstance(st, ast.Assign) else [st.target]
            if self.tainted(st.value, tainted):
                for t in targets:
                    for name in Program.target_names(t):
                        if name not in tainted:
                            tainted.add(name)
                            origin.setdefault(name, st.lineno)
            elif isinstance(st, ast.Assign):
                # x, y = train_loader.next_batch(): rebinding a name to clean data cleans it
                for t in targets:
                    for x in ([t] if isinstance(t, ast.Name) else t.elts if isinstance(t, (ast.Tuple, ast.List)) else []):
                        if isinstance(x, ast.Name):
                            tainted.discard(x.id)
        # buf.write(val_bytes), parts.append(val_tokens[:n]), torch.save(val_prefix, buf): the receiver now holds them
        for n in ast.walk(st):
            if not isinstance(n, ast.Call):
                continue
            leaf = dotted(n.func).split(".")[-1]
            if leaf in ("write", "append", "extend", "update", "writelines", "frombytes") and isinstance(n.func, ast.Attribute) \
                    and any(self.tainted(a, tainted) for a in n.args):
                for name in Program.target_names(n.func.value):
                    tainted.add(name)
            elif dotted(n.func) in ("torch.save", "pickle.dump") and len(n.args) >= 2 and self.tainted(n.args[0], tainted):
                for name in Program.target_names(n.args[1]):
                    tainted.add(name)
            elif dotted(n.func) in ("np.save", "numpy.save", "np.savez", "np.savez_compressed") and len(n.args) >= 2 and self.tainted(n.args[1], tainted):
                for name in Program.target_names(n.args[0]):
                    tainted.add(name)

    def _exprs(self, node, tainted, origin, chain, loops, depth, ctx_nograd, stmt):
        for n in ast.walk(node):
            if isinstance(n, ast.Lambda):
                continue
            if isinstance(n, (ast.Attribute, ast.Name)):
                d = dotted(n)
                leaf = d.split(".")[-1]
                if self.source is None and leaf in self.prog.val_attrs and leaf.lower().endswith(("files", "pattern", "path", "glob", "shards")):
                    self.source = (n.lineno, d)
                if leaf in self.prog.train_attrs or TRAIN_NAME.match(leaf):
                    self._event("RTRAIN", n.lineno, chain, loops, d)
                elif isinstance(n, ast.Name) and self.train_names and n.id in self.train_names[-1] and isinstance(n.ctx, ast.Load):
                    self._event("RTRAIN", n.lineno, chain, loops, n.id).loader = True
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and TRAIN_GLOB.search(n.value) and len(n.value) < 200:
                self._event("RTRAIN", n.lineno, chain, loops, n.value)
            if not isinstance(n, ast.Call):
                continue
            name = dotted(n.func)
            leaf = name.split(".")[-1]
            if NET_CALLS.match(name) or NET_CALLS.match(leaf):
                self._event("NET", n.lineno, chain, loops, name)
            elif re.match(r"^(subprocess\.\w+|os\.system|os\.popen)$", name) and re.search(r"\b(wget|curl|https?://|git clone|pip install|hf download)", ast.unparse(n)):
                self._event("NET", n.lineno, chain, loops, name + " (" + ast.unparse(n.args[0])[:60] + ")" if n.args else name)
            # accelerator.backward(loss), scaler.scale(loss).backward(): the loss may be an argument, not the receiver
            if leaf == "backward" and isinstance(n.func, ast.Attribute) and not self.tainted(n.func.value, tainted) and any(self.tainted(a, tainted) for a in n.args):
                self._event("VTRAIN", n.lineno, chain, loops, name)
                self.events[-1].origin = self._origin(n.args[0], origin)
            # In-place updates of parameters from validation data train without autograd.
            if leaf in INPLACE and isinstance(n.func, ast.Attribute) and re.search(r"weight|bias|param|\.data|grad", dotted(n.func.value), re.I) \
                    and (any(self.tainted(a, tainted) for a in n.args) or self.tainted(n.func.value, tainted)):
                self._event("VTRAIN", n.lineno, chain, loops, name)
            if leaf == "backward" and isinstance(n.func, ast.Attribute) and self.tainted(n.func.value, tainted):
                scope = self._discarded(n.func.value, loops)
                local = self._local_trainables(loops)
                ev = self._event("VTRAIN", n.lineno, chain, loops, name)
                if scope is not None:
                    ev.scope = scope
                elif local is not None:
                    # SLOT: only a tensor made here (a delta, a logit bias) is optimised; the model is untouched
                    ev.scope, ev.fitted = local
                else:
                    ev.origin = self._origin(n.func.value, origin)
                ev.targets = self._targets(n.func.value, tainted)
                ev.loss_names = {x.id for x in ast.walk(n.func.value) if isinstance(x, ast.Name)}
            # Statistics counted from validation tokens (an n-gram cache): np.add.at(table, key, 1), table.index_add_(0, key, ...)
            if (name in ("np.add.at", "numpy.add.at") and len(n.args) >= 2 and self.tainted(n.args[1], tainted)) or \
                    (leaf in ("index_add_", "scatter_add_", "index_put_") and isinstance(n.func, ast.Attribute)
                     and not re.search(r"weight|bias|param|\.data|grad", dotted(n.func.value), re.I) and any(self.tainted(a, tainted) for a in n.args)):
                self._event("COUNT", n.lineno, chain, loops, name)
            # counts.update(tokens), ngram_cache.add(ctx, tok): a library counter fed validation tokens
            elif leaf in ("update", "add", "observe", "record", "feed") and isinstance(n.func, ast.Attribute) \
                    and re.search(r"count|cache|ngram|n_gram|gram|table|freq|hist|stats", dotted(n.func.value), re.I) \
                    and any(self.tainted(a, tainted) for a in n.args) and self._resolve(n) is None:
                self._event("COUNT", n.lineno, chain, loops, name)
            # Validation bytes written to a binary file or buffer, however they got there.
            if leaf in ("write", "write_bytes") and isinstance(n.func, ast.Attribute) and not re.search(r"log|print|stdout|stderr", dotted(n.func.value), re.I) \
                    and any(self.tainted(a, tainted) and not isinstance(a, ast.JoinedStr) and not SCORE_TARGET.search(ast.unparse(a))
                            and not (isinstance(a, ast.Call) and dotted(a.func) in ("str", "json.dumps", "repr")) for a in n.args):
                ev = self._event("WRITE", n.lineno, chain, loops, name)
                ev.val = True
            if name.endswith("autograd.grad") and n.args and self.tainted(n.args[0], tainted):
                self._event("VTRAIN", n.lineno, chain, loops, name)
                self.events[-1].origin = self._origin(n.args[0], origin)
            if name in ARTIFACT_WRITES or leaf == "write_bytes" or (leaf == "write" and any(re.search(r"blob|buf|compress|payload|artifact", ast.unparse(a), re.I) for a in n.args)):
                ev = self._event("WRITE", n.lineno, chain, loops, name)
                ev.val = any(self.tainted(a, tainted) for a in n.args)
            if name in ("register_buffer",) or leaf == "register_buffer":
                if any(self.tainted(a, tainted) for a in n.args[1:]):
                    ev = self._event("WRITE", n.lineno, chain, loops, name)
                    ev.val = True
            # timed_eval("label", eval_fn, h, model, val_data): a function handed over with its arguments runs too.
            for k, a in enumerate(n.args):
                if isinstance(a, ast.Name) and a.id in self.prog.funcs and isinstance(self.prog.funcs[a.id], (ast.FunctionDef, ast.AsyncFunctionDef)):
                    passed = ast.Call(func=a, args=n.args[k + 1:], keywords=n.keywords)
                    ast.copy_location(passed, n)
                    self._call(passed, self.prog.funcs[a.id], tainted, chain, loops, depth)
            callee = self._resolve(n)
            if callee is not None:
                self._call(n, callee, tainted, chain, loops, depth)

    def _resolve(self, call):
        """prog.resolve, plus obj.method() where obj was built from a class in this function (cache = NgramCache(...))."""
        f = call.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and self.stack:
            fn = self.stack[-1]
            types = getattr(fn, "_types", None)
            if types is None:
                types = {}
                for a in ast.walk(fn):
                    if isinstance(a, ast.Assign) and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name) and isinstance(a.value, ast.Call) \
                            and isinstance(a.value.func, ast.Name) and a.value.func.id in self.prog.classes:
                        types[a.targets[0].id] = a.value.func.id
                fn._types = types
            cls = types.get(f.value.id)
            if cls and cls + "." + f.attr in self.prog.funcs:
                return self.prog.funcs[cls + "." + f.attr]
        return self.prog.resolve(call)

    def _call(self, n, callee, tainted, chain, loops, depth):
        params = [a.arg for a in callee.args.args]
        if params and params[0] in ("self", "cls"):
            params = params[1:]
        tp = set()
        for i, a in enumerate(n.args):
            if i < len(params) and self.tainted(a, tainted):
                tp.add(params[i])
        for kw in n.keywords:
            if kw.arg and self.tainted(kw.value, tainted):
                tp.add(kw.arg)
        # a training-data reader handed over (gptq_calibrate(model, train_loader)) is one in the callee too
        readers = self.train_names[-1] if self.train_names else set()
        def reads_train(a):
            # the shard pattern itself (args.train_files) is already a read at the call; a reader object goes on reading inside
            return any(isinstance(x, ast.Name) and x.id in readers for x in ast.walk(a))
        trp = {params[i] for i, a in enumerate(n.args) if i < len(params) and reads_train(a)}
        trp |= {kw.arg for kw in n.keywords if kw.arg and reads_train(kw.value)}
        self.pending_train = trp
        self.run_function(callee, tp, chain + [(n.lineno, callee.name)], loops, depth + 1)

    OPTIMIZER = re.compile(r"^(SGD|Adam|AdamW|Adagrad|Adadelta|RMSprop|LBFGS|Lion|Muon\w*|NorMuon|Adafactor|\w*Optimizer)$")
    LEAF_FACTORIES = re.compile(r"^(zeros|zeros_like|ones|ones_like|empty|empty_like|randn|randn_like|rand|full|full_like|tensor|Parameter|clone|detach)$")

    def _local_trainables(self, loops):
        """(scope, names) when every optimizer in this function optimises only tensors created here with
        requires_grad (a SLOT delta, a logit bias) and never handed out: what is learned dies with the loop
        (or call) that made it. None when a model's parameters are optimised."""
        if not self.stack:
            return None
        fn = self.stack[-1]
        opts = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and (dotted(n.func).startswith("torch.optim.") and "lr_scheduler" not in dotted(n.func)
                                                                          or self.OPTIMIZER.match(dotted(n.func).split(".")[-1]))]
        names = set()
        if not opts:
            # no optimizer: a tensor made here with requires_grad and stepped by hand (delta -= lr * delta.grad)
            made_here = {a.targets[0].id for a in ast.walk(fn) if isinstance(a, ast.Assign) and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name)
                         and "requires_grad" in ast.unparse(a.value)}
            for a in ast.walk(fn):
                if isinstance(a, ast.AugAssign) and isinstance(a.target, ast.Name) and a.target.id in made_here:
                    names.add(a.target.id)
                elif isinstance(a, ast.Call) and dotted(a.func).split(".")[-1] in ("sub_", "add_") and dotted(a.func).split(".")[0] in made_here:
                    names.add(dotted(a.func).split(".")[0])
            if not names:
                return None
        for o in opts:
            if not o.args:
                return None
            params = o.args[0]
            elts = params.elts if isinstance(params, (ast.List, ast.Tuple)) else [params]
            for e in elts:
                # param groups: [{"params": [delta], "lr": 0.01}, ...]
                if isinstance(e, ast.Dict):
                    for k, v in zip(e.keys, e.values):
                        if isinstance(k, ast.Constant) and k.value == "params":
                            for x in (v.elts if isinstance(v, (ast.List, ast.Tuple)) else [v]):
                                if not isinstance(x, ast.Name):
                                    return None
                                names.add(x.id)
                    continue
                if not isinstance(e, ast.Name):
                    return None
                names.add(e.id)
        made = {}
        for a in ast.walk(fn):
            if isinstance(a, ast.Assign) and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name) and a.targets[0].id in names:
                src = ast.unparse(a.value)
                calls = [dotted(c.func).split(".")[-1] for c in ast.walk(a.value) if isinstance(c, ast.Call)]
                if calls and self.LEAF_FACTORIES.match(calls[0]) and ("requires_grad" in src or "Parameter" in src):
                    made[a.targets[0].id] = a
        if set(made) != names:
            return None
        for a in ast.walk(fn):  # handed out: returned or stored on an object
            if isinstance(a, ast.Return) and a.value is not None and names & {x.id for x in ast.walk(a.value) if isinstance(x, ast.Name)}:
                return None
            if isinstance(a, ast.Assign) and any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in a.targets) and isinstance(a.value, ast.Name) and a.value.id in names:
                return None
        made_at = [m for m in made.values()]
        for loop in reversed(loops):
            if all(any(x is m for x in ast.walk(loop[3])) for m in made_at):
                return loop[0], names
        return ("frame", self.frames[-1]), names

    def _closure(self, expr, limit=5):
        """The names an expression reads in the current function, through the assignments that bind them."""
        fn = self.stack[-1] if self.stack else None
        names = {x.id for x in ast.walk(expr) if isinstance(x, ast.Name)}
        exprs = [expr]
        if fn is None:
            return names, exprs
        binds = getattr(fn, "_binds", None)
        if binds is None:
            binds = {}
            for a in ast.walk(fn):
                if isinstance(a, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and a.value is not None:
                    for t in (a.targets if isinstance(a, ast.Assign) else [a.target]):
                        for x in ast.walk(t):
                            if isinstance(x, ast.Name):
                                binds.setdefault(x.id, []).append(a)
            fn._binds = binds
        frontier = set(names)
        for _ in range(limit):
            new = set()
            for nm in frontier:
                for a in binds.get(nm, []):
                    exprs.append(a)
                    new |= {x.id for x in ast.walk(a.value) if isinstance(x, ast.Name)}
                    if isinstance(a, ast.AugAssign) or any(isinstance(t, ast.Subscript) for t in getattr(a, "targets", [])):
                        new |= {x.id for x in ast.walk(a) if isinstance(x, ast.Name)}
            frontier = new - names
            names |= new
            if not frontier:
                break
        return names, exprs

    TARGET_NAME = re.compile(r"^(y|ys|yb|y_batch|y_chunk|tgt|tgts|target|targets|target_ids|labels?)(_\w+)?$")

    def _targets(self, expr, tainted):
        """The validation targets a loss or a score is computed against: the label argument of its cross-entropy."""
        names, exprs = self._closure(expr)
        out = set()
        for e in exprs:
            for c in ast.walk(e):
                if isinstance(c, ast.Call) and re.search(r"cross_entropy|nll_loss|CrossEntropy", dotted(c.func)) and len(c.args) >= 2:
                    out |= {x.id for x in ast.walk(c.args[1]) if isinstance(x, ast.Name) and x.id in tainted}
        out |= {n for n in names if self.TARGET_NAME.match(n) and n in tainted}
        return out

    def _param_update(self, st, tainted):
        """weight.data[idx] += lr * signal, p.data = p.data - g: a parameter written from validation data."""
        targets = st.targets if isinstance(st, ast.Assign) else [st.target]
        for t in targets:
            base = t.value if isinstance(t, ast.Subscript) else t
            if not isinstance(base, ast.Attribute) or not re.search(r"weight|bias|param|\.data$", dotted(base), re.I):
                continue
            if self.tainted(st.value, tainted) or (isinstance(t, ast.Subscript) and self.tainted(t.slice, tainted)):
                return True
        return False

    def _discarded(self, loss_expr, loops):
        """The loop (its id) when the loss trains a module built fresh inside that loop and never used after it
        (a per-document adapter, or a compile warm-up on a throwaway one): what it learns reaches no score
        outside that loop. None otherwise."""
        if not loops or not self.stack:
            return None
        fn = self.stack[-1]
        inside = set(map(id, ast.walk(fn)))
        names = {x.id for x in ast.walk(loss_expr) if isinstance(x, ast.Name)}
        for _ in range(3):
            for a in ast.walk(fn):
                if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in a.targets):
                    names |= {x.id for x in ast.walk(a.value) if isinstance(x, ast.Name)}
        for loop in reversed([l[3] for l in loops if id(l[3]) in inside]):
            built = set()
            for a in ast.walk(loop):
                if isinstance(a, ast.Assign) and isinstance(a.value, ast.Call) and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name):
                    callee = dotted(a.value.func).split(".")[0]
                    if callee in self.prog.classes:
                        built.add(a.targets[0].id)
            used = names & built
            if not used:
                continue
            end = getattr(loop, "end_lineno", loop.lineno)
            if any(isinstance(x, ast.Name) and x.id in used and x.lineno > end for x in ast.walk(fn)):
                return None
            return id(loop)
        return None

    def _origin(self, expr, origin):
        for n in ast.walk(expr):
            if isinstance(n, ast.Name) and n.id in origin:
                return origin[n.id]
        return None


def shared_loops(a, b):
    out = []
    for x, y in zip(a, b):
        if x[0] != y[0]:
            break
        out.append(x)
    return out


def loop_feeds_inner(loop, inner_loop):
    """Does each pass of the outer loop bring new data to the inner one (documents, queued batches)
    rather than the same chunks again (epochs)? Yes when its variable, or a name it rebinds before
    the inner loop, is read by the inner loop's range or by its indexing."""
    outer, inner = loop[3], inner_loop[3]
    inner_nodes = set(map(id, ast.walk(inner)))
    rebound = set(v for v in loop[2] if v != "_")
    for a in ast.walk(outer):
        if id(a) in inner_nodes:
            continue
        if isinstance(a, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = a.targets if isinstance(a, ast.Assign) else [a.target]
            for t in targets:
                rebound |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
    reads = set()
    if not isinstance(inner, ast.While):
        reads |= {x.id for x in ast.walk(inner.iter) if isinstance(x, ast.Name)}
    for a in ast.walk(inner):
        if isinstance(a, ast.Subscript):
            reads |= {x.id for x in ast.walk(a) if isinstance(x, ast.Name)}
    return bool(rebound & reads)


def in_scope(scope, ev):
    """Is the event inside the loop (or the call) where a throwaway thing was trained?"""
    if isinstance(scope, tuple) and scope[0] == "frame":
        return scope[1] in getattr(ev, "frames", ())
    return any(l[0] == scope for l in ev.loops)


def rebound_between(ev, name, lo, hi):
    binds = getattr(ev.fn, "_binds", {}) if getattr(ev, "fn", None) is not None else {}
    return any(lo < a.lineno < hi for a in binds.get(name, []))


def judge(prog, events, source=None):
    findings = []

    def add(rule, severity, line, chain, message, *evs):
        gates = []
        for e in evs:
            gates += [g for g in getattr(e, "gates", ()) if g not in gates]
        findings.append({"rule": rule, "severity": severity, "line": line, "chain": chain, "message": message, "gates": gates})

    def where(ev, from_source=False):
        head = [{"line": source[0], "via": "validation data (" + source[1] + ")"}] if from_source and source else []
        return head + [{"line": l, "via": f} for l, f in ev.chain] + [{"line": ev.line, "via": ev.kind.lower()}]

    scores = [i for i, e in enumerate(events) if e.kind == "SCORE"]
    writes = [i for i, e in enumerate(events) if e.kind == "WRITE"]
    reported = set()
    for i, t in enumerate(events):
        if t.kind != "VTRAIN" or t.line in reported:
            continue
        scope = getattr(t, "scope", None)
        # Fitted on the very targets it then scores, within one window: SLOT's delta or logit bias, or a model step.
        same_window = [j for j in scores if j > i and events[j].line > t.line and getattr(events[j], "frames", ()) == getattr(t, "frames", ())
                       and shared_loops(events[j].loops, t.loops)
                       and not (getattr(t, "loss_names", set()) & getattr(events[j], "reads", set()))]
        hit = None
        for j in same_window:
            s = events[j]
            common = {n for n in (getattr(t, "targets", set()) & getattr(s, "targets", set())) if not rebound_between(t, n, t.line, s.line)}
            fitted = getattr(t, "fitted", None)
            if common and (fitted is None or fitted & s.reads):
                hit = (s, sorted(common)[0], fitted)
                break
        if hit:
            s, name, fitted = hit
            if fitted:
                add("SLOT_ETLB", "violation", t.line, where(t, True) + [{"line": s.line, "via": "score"}],
                    "%s is optimised at line %d on the cross-entropy of the targets %s, and those same targets are scored at line %d with it: "
                    "the score has seen its answers (SLOT / eval-time logit bias on the scored tokens)" % (", ".join(sorted(fitted)), t.line, name, s.line), t, s)
            else:
                add("VAL_TRAIN_BEFORE_SCORE", "violation", t.line, where(t, True) + [{"line": s.line, "via": "score"}],
                    "the model takes a training step at line %d on the targets %s and then scores those same targets at line %d" % (t.line, name, s.line), t, s)
            reported.add(t.line)
            continue
        if scope is not None and not any(in_scope(scope, events[j]) for j in scores):
            continue  # a throwaway module trained and dropped where nothing is scored: a warm-up
        before = [j for j in scores if j < i and shared_loops(events[j].loops, t.loops)]
        legal = False
        for j in before:
            common = shared_loops(events[j].loops, t.loops)
            innermost = common[-1]
            repass = [l for l in common[:-1] if not loop_feeds_inner(l, innermost)]
            if not repass:
                legal = True
                break
            add("VAL_TRAIN_BEFORE_SCORE", "violation", t.line, where(t, True),
                "validation tokens are scored again in a later pass of the loop at line %d after being trained on at line %d (multi-epoch test-time training)"
                % (repass[0][1], t.line), t, events[j])
            reported.add(t.line)
            legal = True
            break
        if t.line in reported:
            continue
        later = [j for j in scores if j > i and not shared_loops(events[j].loops, t.loops)]
        if scope is not None:
            later = []  # the trained thing does not outlive its loop
        if not legal and later:
            s = events[later[0]]
            src = getattr(t, "origin", None)
            add("VAL_TRAIN_BEFORE_SCORE", "violation", t.line, where(t, True) + [{"line": s.line, "via": "score"}],
                "validation tokens%s reach a training step at line %d before they are scored at line %d" %
                (" (from line %d)" % src if src else "", t.line, s.line), t, s)
            reported.add(t.line)
        elif legal and later:
            s = events[later[0]]
            add("VAL_TRAIN_BEFORE_SCORE", "review", s.line, where(s),
                "the model trained on validation tokens (score-first, line %d) is scored again at line %d: that score must not be the one reported" % (t.line, s.line), t, s)
            reported.add(t.line)
        for j in writes:
            if j > i and scope is None:
                add("PAID_PREFIX", "violation", events[j].line, where(t, True) + [{"line": events[j].line, "via": "write"}],
                    "the model is written out at line %d after training on validation tokens at line %d: validation data ends up in the artifact" % (events[j].line, t.line), t, events[j])
                break
    for j in writes:
        e = events[j]
        if getattr(e, "val", False):
            add("PAID_PREFIX", "violation", e.line, where(e, True), "validation tokens (or data derived from them) are written out at line %d: the artifact may carry them" % e.line, e)
            if not e.gates:
                break  # the first write of them is the finding; the buffer's later copies are the same tokens
    for j in scores:
        e = events[j]
        if getattr(e, "mask", None):
            add("PAID_PREFIX", "violation", e.mask, where(e, True),
                "the loss scored at line %d is rewritten at line %d where the target equals a stored token: tokens carried with the artifact "
                "stand in for the model's predictions (a paid prefix)" % (e.line, e.mask), e)
            break
    # Counts taken from validation tokens in bulk, not one scored chunk at a time, then used by a later score:
    # the prediction at t was made with statistics that include y_t and every token after it.
    for i, c in enumerate(events):
        if c.kind != "COUNT":
            continue
        if any(j < i and shared_loops(events[j].loops, c.loops) for j in scores):
            continue  # score-first: each chunk is counted after it was scored
        later = [j for j in scores if j > i and not shared_loops(events[j].loops, c.loops)]
        if later:
            s = events[later[0]]
            add("CAUSALITY_LEAK", "violation", c.line, where(c, True) + [{"line": s.line, "via": "score"}],
                "statistics are counted from the validation tokens at line %d before they are scored (line %d): the prediction for each token "
                "uses counts that include it and the tokens after it (a two-pass / full-cache n-gram)" % (c.line, s.line), c, s)
            break
    last_write = writes[-1] if writes else None
    for k, e in enumerate(events):
        if e.kind != "RTRAIN":
            continue
        fn = e.chain[-1][1] if e.chain else None
        # A loader read in a function that also scores is its training loop, not evaluation: only a read after the
        # artifact is written counts for it.
        scoring_fn = fn is not None and not getattr(e, "loader", False) and any(s.kind == "SCORE" and s.chain and s.chain[-1][1] == fn for s in events)
        if (last_write is not None and k > last_write) or scoring_fn:
            add("TRAIN_DATA_AT_EVAL", "violation", e.line, where(e),
                "training data (%s) is read at line %d %s" % (e.text, e.line, "during evaluation" if scoring_fn else
                                                              "after the artifact is written at line %d (evaluation or post-quantization tuning)" % events[last_write].line), e)
            break
    # Calibration that reads training data after the training loop, with no time reserved for it inside the cap.
    if not prog.reserve:
        for k, e in enumerate(events):
            if e.kind == "RTRAIN" and any(CALIB_FN.search(f) for _, f in e.chain) and (last_write is None or k < last_write):
                add("CALIB_AFTER_CAP", "violation", e.line, where(e),
                    "training data is read for calibration at line %d and no time is reserved for it inside the training cap (e.g. a gptq_reserve_seconds taken off the wall clock)" % e.line, e)
                break
    for e in events:
        if e.kind == "NET":
            add("NETWORK_AT_EVAL", "violation", e.line, where(e), "%s at line %d reaches the network at run time" % (e.text, e.line), e)
    uniq, seen = [], {}
    for f in findings:
        k = (f["rule"], f["line"], f["severity"])
        if k not in seen:
            seen[k] = len(uniq)
            uniq.append(f)
        elif len(f["gates"]) < len(uniq[seen[k]]["gates"]):
            uniq[seen[k]] = f  # the same finding reached by a path that needs fewer flags turned on
    return uniq


def judge_by_default(prog, events, source=None):
    """Findings on what runs by default; what only a flag turns on comes back as review notes naming the flag."""
    findings = judge(prog, [e for e in events if not e.gates], source)
    seen = {(f["rule"], f["line"]) for f in findings}
    for f in sorted(judge(prog, events, source), key=lambda f: len(f["gates"])):
        if (f["rule"], f["line"]) in seen or not f["gates"]:
            continue
        seen.add((f["rule"], f["line"]))
        what = "turned on, " + f["message"] if f["severity"] == "violation" else f["message"]
        f["message"] = "off by default, behind %s: %s" % ("; ".join(f["gates"]), what)
        f["severity"] = "review"
        findings.append(f)
    for f in findings:
        f.pop("gates", None)
    return findings + causality(prog)


def masked_diffusion(prog):
    """A masked (absorbing-state) diffusion LM: a mask token id that inputs are replaced with by torch.where before the forward."""
    if not hasattr(prog, "_diffusion"):
        mask_names = set()
        for n in ast.walk(prog.tree):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, (ast.Name, ast.Attribute)) and re.search(r"^(mask_?(token_?)?id|mask_token|MASK(_TOKEN)?(_ID)?)$", dotted(t).split(".")[-1]):
                        mask_names.add(dotted(t).split(".")[-1])
        prog._diffusion = bool(mask_names) and any(
            isinstance(n, ast.Call) and dotted(n.func).split(".")[-1] in ("where", "masked_fill") and any(
                isinstance(x, (ast.Name, ast.Attribute)) and dotted(x).split(".")[-1] in mask_names for a in n.args for x in ast.walk(a))
            for n in ast.walk(prog.tree))
    return prog._diffusion


def causality(prog):
    out = []
    for node in ast.walk(prog.tree):
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            leaf = name.split(".")[-1]
            for kw in node.keywords:
                if kw.arg in ("is_causal", "causal") and isinstance(kw.value, ast.Constant) and kw.value.value is False \
                        and re.search(r"attention|attn", leaf, re.I):
                    if masked_diffusion(prog):
                        # An absorbing-mask diffusion LM sees every position but predicts only masked ones: bidirectional
                        # attention is its design, and the score is an ELBO over masked tokens, which a reviewer checks.
                        out.append({"rule": "CAUSALITY_LEAK", "severity": "review", "line": node.lineno, "chain": [{"line": node.lineno, "via": leaf}],
                                    "message": "%s(%s=False) at line %d is bidirectional attention in a masked-diffusion model: check that every scored "
                                               "token is masked in the input it is predicted from (an ELBO, not a next-token loss)" % (leaf, kw.arg, node.lineno)})
                    else:
                        out.append({"rule": "CAUSALITY_LEAK", "severity": "violation", "line": node.lineno, "chain": [{"line": node.lineno, "via": leaf}],
                                    "message": "%s(%s=False) at line %d lets position t attend to t+1 and later" % (leaf, kw.arg, node.lineno)})
            if re.search(r"scaled_dot_product_attention", leaf):
                has_mask = any(kw.arg == "attn_mask" and not (isinstance(kw.value, ast.Constant) and kw.value.value is None) for kw in node.keywords) or len(node.args) > 3
                causal = any(kw.arg == "is_causal" for kw in node.keywords)
                if has_mask and not causal:
                    out.append({"rule": "CAUSALITY_LEAK", "severity": "review", "line": node.lineno, "chain": [{"line": node.lineno, "via": leaf}],
                                "message": "attention at line %d uses an explicit mask: check it is strictly causal (and not learned)" % node.lineno})
        # A lower-triangular "allowed" mask shifted above the diagonal lets position t see t+1.
        if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "tril":
            for kw in node.keywords:
                if kw.arg == "diagonal" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, int) and kw.value.value > 0:
                    out.append({"rule": "CAUSALITY_LEAK", "severity": "violation", "line": node.lineno, "chain": [{"line": node.lineno, "via": "tril"}],
                                "message": "tril(..., diagonal=%d) at line %d allows attention %d position(s) into the future" % (kw.value.value, node.lineno, kw.value.value)})
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += same_inputs_and_targets(node)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and dotted(node.value.func).endswith("Parameter"):
            for t in node.targets:
                if re.search(r"mask", dotted(t), re.I):
                    out.append({"rule": "CAUSALITY_LEAK", "severity": "violation", "line": node.lineno, "chain": [{"line": node.lineno, "via": dotted(t)}],
                                "message": "a learned attention mask (%s) at line %d can learn to look ahead" % (dotted(t), node.lineno)})
    # Token shifts (smear/previous-token mixing) that do not stop at document boundaries.
    for cls in prog.classes.values():
        src = ast.unparse(cls)
        if not re.search(r"smear", cls.name, re.I):
            continue
        if not re.search(r"bos|boundary|doc", src, re.I):
            out.append({"rule": "CAUSALITY_LEAK", "severity": "review", "line": cls.lineno, "chain": [{"line": cls.lineno, "via": cls.name}],
                        "message": "%s mixes each token with the previous one without a BOS/document-boundary mask: it mixes across documents" % cls.name})
    return out


INPUT_NAMES = {"x", "inputs", "input_ids", "x_batch", "xs", "inp"}
TARGET_NAMES = {"y", "targets", "target_ids", "y_batch", "ys", "labels", "tgt"}


def same_inputs_and_targets(fn):
    """x and y cut from the same slice of the same tokens: the model is asked to predict what it is shown."""
    out, seen = [], {}
    for st in ast.walk(fn):
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            name = st.targets[0].id
            if name in INPUT_NAMES or name in TARGET_NAMES:
                seen.setdefault(ast.unparse(st.value), []).append((name, st.lineno))
    for rhs, names in seen.items():
        kinds = {("in" if n in INPUT_NAMES else "tgt") for n, _ in names}
        if kinds == {"in", "tgt"} and "[" in rhs:
            line = max(l for _, l in names)
            out.append({"rule": "CAUSALITY_LEAK", "severity": "violation", "line": line, "chain": [{"line": l, "via": n} for n, l in names],
                        "message": "inputs and targets are the same slice (%s) at line %d: the model sees the token it must predict" % (rhs[:60], line)})
    return out


def bpb_accounting(prog, baseline_src):
    if baseline_src is None:
        return []
    try:
        base = parse(baseline_src)
    except SyntaxError:
        return []
    names = ("build_sentencepiece_luts",)
    out = []
    mine = {n.name: n for n in ast.walk(prog.tree) if isinstance(n, ast.FunctionDef)}
    theirs = {n.name: n for n in ast.walk(base) if isinstance(n, ast.FunctionDef)}
    for name in names:
        if name in theirs and name in mine and norm(mine[name]) != norm(theirs[name]):
            out.append({"rule": "BPB_ACCOUNTING", "severity": "review", "line": mine[name].lineno, "chain": [{"line": mine[name].lineno, "via": name}],
                        "message": "%s (byte counting per token) differs from the baseline's: prove the byte accounting" % name})
        elif name in theirs and name not in mine:
            out.append({"rule": "BPB_ACCOUNTING", "severity": "review", "line": 1, "chain": [],
                        "message": "no %s as in the baseline: the bytes behind val_bpb are counted some other way; prove it" % name})
    # The per-token byte formula of the evaluation: base bytes plus a leading space unless after a boundary.
    def byte_terms(tree):
        return {re.sub(r"\[.*\]", "[]", ast.unparse(n)) for n in ast.walk(tree)
                if isinstance(n, ast.Subscript) and re.search(r"bytes_lut|leading_space|boundary_token", dotted(n.value))}
    if byte_terms(base) and not byte_terms(prog.tree):
        out.append({"rule": "BPB_ACCOUNTING", "severity": "review", "line": 1, "chain": [],
                    "message": "the evaluation does not count bytes with the baseline's lookup tables (base bytes + leading space after a boundary)"})
    return out


class _Normalise(ast.NodeTransformer):
    """What does not change the bytes counted: annotations, docstrings, asserts and log lines."""

    def visit_arg(self, node):
        node.annotation = None
        return node

    def visit_FunctionDef(self, node):
        node.returns = None
        node.body = [b for b in node.body if not (isinstance(b, ast.Expr) and isinstance(getattr(b, "value", None), ast.Constant))] or [ast.Pass()]
        self.generic_visit(node)
        return node

    def visit_Assert(self, node):
        return None

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Call) and re.match(r"^(print|log\w*)$", dotted(node.value.func).split(".")[-1]):
            return None
        return node


def norm(fn):
    fn = ast.parse(ast.unparse(fn)).body[0]
    fn = _Normalise().visit(fn)
    return ast.dump(fn, annotate_fields=False)


def entry(prog):
    for node in prog.tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            return node.body
    if "main" in prog.funcs:
        return [ast.Expr(ast.Call(func=ast.Name(id="main", ctx=ast.Load()), args=[], keywords=[]), lineno=1)]
    return [n for n in prog.tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]


def main():
    payload = json.loads(sys.stdin.read())
    src = payload["source"]
    try:
        tree = parse(src)
    except SyntaxError as e:
        print(json.dumps({"error": "line %s: %s" % (e.lineno, e.msg)}))
        return
    prog = Program(tree, src.split("\n"))
    for n in ast.walk(tree):
        for child in ast.iter_child_nodes(n):
            child.parent = n
    tracer = Tracer(prog)
    body = entry(prog)
    holder = ast.FunctionDef(name="<entry>", args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
                             body=body, decorator_list=[], lineno=1)
    tracer.run_function(holder, set(), [], (), 0)
    findings = judge_by_default(prog, tracer.events, tracer.source) + bpb_accounting(prog, payload.get("baseline"))
    findings.sort(key=lambda f: (f["line"], f["rule"]))
    out = {"findings": findings, "events": len(tracer.events)}
    if payload.get("trace"):
        out["trace"] = [{"kind": e.kind, "line": e.line, "via": [f for _, f in e.chain], "loops": [l[1] for l in e.loops], "text": e.text} for e in tracer.events]
    print(json.dumps(out))


main()
