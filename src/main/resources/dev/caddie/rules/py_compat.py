# Prepended by Caddie to its Python helpers (script_shape.py, script_lint.py): parsing a training
# script with CPython's own ast, including Python 3.12 f-strings on an older interpreter.
import ast, sys


def requote_fstrings(line):
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


def parse(text):
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




def dotted(node):
    """a.b.c for a name, an attribute chain or a call on one; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return base + "." + node.attr if base else node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return ""
