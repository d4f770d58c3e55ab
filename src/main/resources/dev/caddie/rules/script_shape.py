# Caddie's view of a Python training script's structure, from CPython's own parser.
# Reads source on stdin; prints JSON: every function and class (qualified name, lines, normalised
# source without comments, formatting or docstrings), and the module-level statements the same way.
import ast, json, sys

def strip_docstring(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body

class Defs(ast.NodeVisitor):
    def __init__(self):
        self.stack, self.defs = [], []

    def visit_def(self, node):
        name = ".".join(self.stack + [node.name])
        node.body = strip_docstring(node.body) or [ast.Pass()]
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()
        self.defs.append({"name": name, "kind": type(node).__name__, "line": node.lineno,
                          "end_line": getattr(node, "end_lineno", node.lineno), "source": ast.unparse(node)})

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_def

def requote_fstrings(line):
    """Python 3.12 lets an f-string's replacement fields reuse its own quote (PEP 701): f"{", ".join(x)}".
    Older parsers cannot read that, so inside replacement fields the outer quote becomes the other one."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c in "fF" and i + 1 < n and line[i + 1] in "\"'" and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
            q = line[i + 1]
            other = "'" if q == '"' else '"'
            out.append(line[i:i + 2])
            i += 2
            depth = 0
            while i < n:
                ch = line[i]
                if depth == 0 and ch == q:
                    out.append(ch)
                    i += 1
                    break
                if ch == "{":
                    depth = depth + 1 if not (depth == 0 and i + 1 < n and line[i + 1] == "{") else depth
                elif ch == "}" and depth > 0:
                    depth -= 1
                out.append(other if depth > 0 and ch == q else ch)
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)

def parse(src):
    text = src.decode("utf-8")
    for _ in range(200):
        try:
            return ast.parse(text)
        except SyntaxError as e:
            if sys.version_info >= (3, 12) or "f-string" not in str(e.msg) or not e.lineno:
                raise
            lines = text.split("\n")
            fixed = requote_fstrings(lines[e.lineno - 1])
            if fixed == lines[e.lineno - 1]:
                raise
            lines[e.lineno - 1] = fixed
            text = "\n".join(lines)
    return ast.parse(text)

def main():
    src = sys.stdin.buffer.read()
    try:
        tree = parse(src)
    except SyntaxError as e:
        print(json.dumps({"error": "line %s: %s" % (e.lineno, e.msg)}))
        return
    tree.body = strip_docstring(tree.body)
    d = Defs()
    d.visit(tree)
    top = [ast.unparse(s) for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    print(json.dumps({"defs": d.defs, "module": top, "normalized": ast.unparse(tree)}))

main()
