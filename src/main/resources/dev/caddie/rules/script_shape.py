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

def main():
    src = sys.stdin.buffer.read()
    try:
        tree = parse(src.decode("utf-8"))
    except SyntaxError as e:
        print(json.dumps({"error": "line %s: %s" % (e.lineno, e.msg)}))
        return
    tree.body = strip_docstring(tree.body)
    d = Defs()
    d.visit(tree)
    top = [ast.unparse(s) for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    print(json.dumps({"defs": d.defs, "module": top, "normalized": ast.unparse(tree)}))

main()
