#!/usr/bin/env python3
# A scripted stand-in for a coding-agent CLI (the generic adapter's contract): the prompt arrives on
# stdin, the worktree is the working directory. It makes a real edit to Tiny Golf's train.java (a new
# default for MATRIX_LR, different each call) and writes .caddie/hypothesis.json. AGENT_MODE makes it
# misbehave the ways a real agent can: edit a protected file, write outside its worktree or into the
# ledger, crash, hang, or forget the hypothesis.
import json, os, pathlib, re, sys, time

prompt = sys.stdin.read()
mode = os.environ.get("AGENT_MODE", "good")
wt = pathlib.Path.cwd()
if "Decision state" not in prompt or not (wt / ".caddie" / "decision.md").exists():
    print("no decision state given", file=sys.stderr)
    sys.exit(4)
if mode == "crash":
    print("Traceback (most recent call last):\nRuntimeError: the model API refused", file=sys.stderr)
    sys.exit(3)
if mode == "hang":
    time.sleep(600)

state = (wt / ".caddie" / "decision.md").read_text()
n = len(re.findall(r"^- #\d+ ", state, re.M))
lr = [0.006, 0.003, 0.008, 0.005][n % 4]
src = (wt / "train.java").read_text()
new = re.sub(r'real\("MATRIX_LR", [0-9.]+', 'real("MATRIX_LR", %s' % lr, src, count=1)
(wt / "train.java").write_text(new)

def attempt(what, action):
    try:
        action()
        print("wrote " + what)
    except OSError as e:
        print("could not write %s: %s" % (what, e), file=sys.stderr)

if mode == "protected":
    attempt("eval_rules.txt", lambda: (wt / "eval_rules.txt").write_text("the rules, relaxed\n"))
if mode == "escape":
    ws = pathlib.Path(os.environ["STAND_IN_WORKSPACE"])
    attempt("the workspace's train.java", lambda: (ws / "train.java").write_text("// overwritten by an agent\n"))
    attempt("the ledger", lambda: open(ws / ".caddie" / "ledger.db", "ab").write(b"the agent was here"))
if mode == "untracked":
    attempt("README.md", lambda: (wt / "README.md").write_text("an agent was here\n"))

if mode != "nohypothesis":
    (wt / ".caddie" / "hypothesis.json").write_text(json.dumps({
        "hypothesis": "set the matrix learning rate to %s" % lr,
        "predicted_delta": -0.01 if lr > 0.004 else 0.005,
        "basis": "the learning-rate sweep in the decision state",
        "risk": "a higher rate may diverge in 20 steps",
    }))
print(json.dumps({"result": "edited train.java", "usage": {"input_tokens": len(prompt) // 4, "output_tokens": 120, "cost_usd": 0.0021}}))
