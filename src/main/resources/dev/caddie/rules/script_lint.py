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
SHAPE_ATTRS = {"shape", "dtype", "device", "ndim"}
SCORE_TARGET = re.compile(r"loss|nll|bpb|bits|byte|tok(en)?_?count|count", re.I)
NET_CALLS = re.compile(r"^(requests\.\w+|urllib\.request\.\w+|urlopen|urlretrieve|http\.client\.\w+|socket\.(socket|create_connection)|"
                       r"hf_hub_download|snapshot_download|load_dataset|torch\.hub\.\w+|download_url_to_file|wget\.download|"
                       r"huggingface_hub\.\w+)$")
INPLACE = {"add_", "sub_", "mul_", "copy_", "index_add_", "index_copy_", "scatter_add_", "addcmul_", "addcdiv_", "lerp_"}
ARTIFACT_WRITES = {"torch.save", "pickle.dump", "np.save", "np.savez", "np.savez_compressed", "numpy.save", "safetensors.torch.save_file", "save_file"}
CALIB_FN = re.compile(r"hessian|calib|gptq", re.I)
MAX_DEPTH = 12


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return base + "." + node.attr if base else node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return ""


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


class Event:
    def __init__(self, kind, line, chain, loops, text=""):
        self.kind, self.line, self.chain, self.loops, self.text = kind, line, chain, loops, text


class Tracer:
    """Walks a function body in order with a set of val-tainted names, appending events."""

    def __init__(self, prog):
        self.prog = prog
        self.events = []
        self.stack = []
        self.source = None  # (line, name) where validation shards are first named on the way

    def run_function(self, fn, tainted_params, call_chain, loops, depth):
        if depth > MAX_DEPTH or fn in self.stack:
            return
        self.stack.append(fn)
        tainted = set(tainted_params)
        origin = {}
        # Flow-insensitive taint within the function: iterate assignments to a fixpoint.
        for _ in range(6):
            before = len(tainted)
            for node in ast.walk(fn):
                self._propagate(node, tainted, origin)
            if len(tainted) == before:
                break
        self._walk(fn.body, tainted, origin, call_chain, loops, depth, ctx_nograd=self._decorated_nograd(fn))
        self.stack.pop()

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
            if isinstance(n, ast.Call) and dotted(n.func).split(".")[-1] in SHAPE_CALLS:
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
                if name in SHAPE_CALLS and (node in list(ast.walk(p.func)) or any(node in list(ast.walk(a)) for a in p.args)):
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
        for st in stmts:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(st, (ast.For, ast.While, ast.AsyncFor)):
                loop = (id(st), st.lineno, tuple(n.id for n in ast.walk(st.target) if isinstance(n, ast.Name)) if not isinstance(st, ast.While) else (), st)
                self._exprs(st.iter if not isinstance(st, ast.While) else st.test, tainted, origin, chain, loops, depth, ctx_nograd, st)
                self._walk(st.body, tainted, origin, chain, loops + (loop,), depth, ctx_nograd)
                self._walk(st.orelse, tainted, origin, chain, loops, depth, ctx_nograd)
                continue
            if isinstance(st, (ast.With, ast.AsyncWith)):
                ng = ctx_nograd or any(re.search(r"no_grad|inference_mode", dotted(i.context_expr)) for i in st.items)
                for i in st.items:
                    self._exprs(i.context_expr, tainted, origin, chain, loops, depth, ctx_nograd, st)
                self._walk(st.body, tainted, origin, chain, loops, depth, ng)
                continue
            if isinstance(st, ast.If):
                self._exprs(st.test, tainted, origin, chain, loops, depth, ctx_nograd, st)
                self._walk(st.body, tainted, origin, chain, loops, depth, ctx_nograd)
                self._walk(st.orelse, tainted, origin, chain, loops, depth, ctx_nograd)
                continue
            if isinstance(st, ast.Try):
                for block in (st.body, *[h.body for h in st.handlers], st.orelse, st.finalbody):
                    self._walk(block, tainted, origin, chain, loops, depth, ctx_nograd)
                continue
            if isinstance(st, (ast.AugAssign, ast.Assign)) and self._param_update(st, tainted):
                self.events.append(Event("VTRAIN", st.lineno, chain, loops, ast.unparse(st)[:60]))
            if isinstance(st, ast.AugAssign) and isinstance(st.op, ast.Add) and self.tainted(st.value, tainted):
                tgt = " ".join(Program.target_names(st.target))
                if ctx_nograd or SCORE_TARGET.search(tgt):
                    self.events.append(Event("SCORE", st.lineno, chain, loops, tgt))
            self._exprs(st, tainted, origin, chain, loops, depth, ctx_nograd, st)

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
                    self.events.append(Event("RTRAIN", n.lineno, chain, loops, d))
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and TRAIN_GLOB.search(n.value) and len(n.value) < 200:
                self.events.append(Event("RTRAIN", n.lineno, chain, loops, n.value))
            if not isinstance(n, ast.Call):
                continue
            name = dotted(n.func)
            leaf = name.split(".")[-1]
            if NET_CALLS.match(name) or NET_CALLS.match(leaf):
                self.events.append(Event("NET", n.lineno, chain, loops, name))
            elif re.match(r"^(subprocess\.\w+|os\.system|os\.popen)$", name) and re.search(r"\b(wget|curl|https?://|git clone|pip install|hf download)", ast.unparse(n)):
                self.events.append(Event("NET", n.lineno, chain, loops, name + " (" + ast.unparse(n.args[0])[:60] + ")" if n.args else name))
            # accelerator.backward(loss), scaler.scale(loss).backward(): the loss may be an argument, not the receiver
            if leaf == "backward" and isinstance(n.func, ast.Attribute) and not self.tainted(n.func.value, tainted) and any(self.tainted(a, tainted) for a in n.args):
                self.events.append(Event("VTRAIN", n.lineno, chain, loops, name))
                self.events[-1].origin = self._origin(n.args[0], origin)
            # In-place updates of parameters from validation data train without autograd.
            if leaf in INPLACE and isinstance(n.func, ast.Attribute) and re.search(r"weight|bias|param|\.data|grad", dotted(n.func.value), re.I) \
                    and (any(self.tainted(a, tainted) for a in n.args) or self.tainted(n.func.value, tainted)):
                self.events.append(Event("VTRAIN", n.lineno, chain, loops, name))
            if leaf == "backward" and isinstance(n.func, ast.Attribute) and self.tainted(n.func.value, tainted):
                scope = self._discarded(n.func.value, loops)
                if scope is not None:
                    self.events.append(Event("VTRAIN", n.lineno, chain, loops, name))
                    self.events[-1].scope = scope
                else:
                    self.events.append(Event("VTRAIN", n.lineno, chain, loops, name))
                    self.events[-1].origin = self._origin(n.func.value, origin)
            if name.endswith("autograd.grad") and n.args and self.tainted(n.args[0], tainted):
                self.events.append(Event("VTRAIN", n.lineno, chain, loops, name))
                self.events[-1].origin = self._origin(n.args[0], origin)
            if name in ARTIFACT_WRITES or leaf == "write_bytes" or (leaf == "write" and any(re.search(r"blob|buf|compress|payload|artifact", ast.unparse(a), re.I) for a in n.args)):
                ev = Event("WRITE", n.lineno, chain, loops, name)
                ev.val = any(self.tainted(a, tainted) for a in n.args)
                self.events.append(ev)
            if name in ("register_buffer",) or leaf == "register_buffer":
                if any(self.tainted(a, tainted) for a in n.args[1:]):
                    ev = Event("WRITE", n.lineno, chain, loops, name)
                    ev.val = True
                    self.events.append(ev)
            # timed_eval("label", eval_fn, h, model, val_data): a function handed over with its arguments runs too.
            for k, a in enumerate(n.args):
                if isinstance(a, ast.Name) and a.id in self.prog.funcs and isinstance(self.prog.funcs[a.id], (ast.FunctionDef, ast.AsyncFunctionDef)):
                    passed = ast.Call(func=a, args=n.args[k + 1:], keywords=n.keywords)
                    ast.copy_location(passed, n)
                    self._call(passed, self.prog.funcs[a.id], tainted, chain, loops, depth)
            callee = self.prog.resolve(n)
            if callee is not None:
                self._call(n, callee, tainted, chain, loops, depth)

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
        self.run_function(callee, tp, chain + [(n.lineno, callee.name)], loops, depth + 1)

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


def judge(prog, events, source=None):
    findings = []

    def add(rule, severity, line, chain, message):
        findings.append({"rule": rule, "severity": severity, "line": line, "chain": chain, "message": message})

    def where(ev, from_source=False):
        head = [{"line": source[0], "via": "validation data (" + source[1] + ")"}] if from_source and source else []
        return head + [{"line": l, "via": f} for l, f in ev.chain] + [{"line": ev.line, "via": ev.kind.lower()}]

    scores = [i for i, e in enumerate(events) if e.kind == "SCORE"]
    writes = [i for i, e in enumerate(events) if e.kind == "WRITE"]
    first_write = writes[0] if writes else None
    reported = set()
    for i, t in enumerate(events):
        if t.kind != "VTRAIN" or t.line in reported:
            continue
        scope = getattr(t, "scope", None)
        if scope is not None and not any(l[0] == scope for j in scores for l in events[j].loops):
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
                % (repass[0][1], t.line))
            reported.add(t.line)
            legal = True
            break
        if t.line in reported:
            continue
        later = [j for j in scores if j > i and not shared_loops(events[j].loops, t.loops)]
        if scope is not None:
            later = []  # the trained module does not outlive its loop
        if not legal and later:
            s = events[later[0]]
            src = getattr(t, "origin", None)
            add("VAL_TRAIN_BEFORE_SCORE", "violation", t.line, where(t, True) + [{"line": s.line, "via": "score"}],
                "validation tokens%s reach a training step at line %d before they are scored at line %d" %
                (" (from line %d)" % src if src else "", t.line, s.line))
            reported.add(t.line)
        elif legal and later:
            s = events[later[0]]
            add("VAL_TRAIN_BEFORE_SCORE", "review", s.line, where(s),
                "the model trained on validation tokens (score-first, line %d) is scored again at line %d: that score must not be the one reported" % (t.line, s.line))
            reported.add(t.line)
        if first_write is not None and first_write > i:
            pass
        for j in writes:
            if j > i and scope is None:
                add("PAID_PREFIX", "violation", events[j].line, where(t, True) + [{"line": events[j].line, "via": "write"}],
                    "the model is written out at line %d after training on validation tokens at line %d: validation data ends up in the artifact" % (events[j].line, t.line))
                break
    for j in writes:
        e = events[j]
        if getattr(e, "val", False):
            add("PAID_PREFIX", "violation", e.line, where(e, True), "validation tokens (or data derived from them) are written out at line %d: the artifact may carry them" % e.line)
    last_write = writes[-1] if writes else None
    for k, e in enumerate(events):
        if e.kind != "RTRAIN":
            continue
        fn = e.chain[-1][1] if e.chain else None
        scoring_fn = fn is not None and any(s.kind == "SCORE" and s.chain and s.chain[-1][1] == fn for s in events)
        if (last_write is not None and k > last_write) or scoring_fn:
            add("TRAIN_DATA_AT_EVAL", "violation", e.line, where(e),
                "training data (%s) is read at line %d %s" % (e.text, e.line, "during evaluation" if scoring_fn else
                                                              "after the artifact is written at line %d (evaluation or post-quantization tuning)" % events[last_write].line))
            break
    # Calibration that reads training data after the training loop, with no time reserved for it inside the cap.
    if not prog.reserve:
        for k, e in enumerate(events):
            if e.kind == "RTRAIN" and any(CALIB_FN.search(f) for _, f in e.chain) and (last_write is None or k < last_write):
                add("CALIB_AFTER_CAP", "violation", e.line, where(e),
                    "training data is read for calibration at line %d and no time is reserved for it inside the training cap (e.g. a gptq_reserve_seconds taken off the wall clock)" % e.line)
                break
    for e in events:
        if e.kind == "NET":
            add("NETWORK_AT_EVAL", "violation", e.line, where(e), "%s at line %d reaches the network at run time" % (e.text, e.line))
    findings += causality(prog)
    uniq, seen = [], set()
    for f in findings:
        k = (f["rule"], f["line"], f["severity"])
        if k not in seen:
            seen.add(k)
            uniq.append(f)
    return uniq


def causality(prog):
    out = []
    for node in ast.walk(prog.tree):
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            leaf = name.split(".")[-1]
            for kw in node.keywords:
                if kw.arg in ("is_causal", "causal") and isinstance(kw.value, ast.Constant) and kw.value.value is False \
                        and re.search(r"attention|attn", leaf, re.I):
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
    findings = judge(prog, tracer.events, tracer.source) + bpb_accounting(prog, payload.get("baseline"))
    findings.sort(key=lambda f: (f["line"], f["rule"]))
    out = {"findings": findings, "events": len(tracer.events)}
    if payload.get("trace"):
        out["trace"] = [{"kind": e.kind, "line": e.line, "via": [f for _, f in e.chain], "loops": [l[1] for l in e.loops], "text": e.text} for e in tracer.events]
    print(json.dumps(out))


main()
