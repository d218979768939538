"""A real app built with the official Python SDK (inngest on PyPI), served with Flask.

Sync handlers (inngest.ContextSync): Flask's adapter would need asgiref for async ones.
fastapi_app.py serves the same functions (shared.py) with async handlers under FastAPI.
"""

import flask
import inngest
import inngest.flask

from shared import (
    LONG_NAP,
    NAP,
    PORT,
    PREFIX,
    WAIT_MATCH,
    WAIT_NEVER,
    client,
    found_output,
    function,
    record,
    record_failure,
)


@function("three")
def three(ctx: inngest.ContextSync) -> dict:
    def step(name: str, value: int) -> int:
        record(name, ctx.attempt)
        return value

    a = ctx.step.run("one", lambda: step("one", 1))
    b = ctx.step.run("two", lambda: step("two", a + 1))
    c = ctx.step.run("three", lambda: step("three", b + 1))
    return {"sum": a + b + c}


@function("flaky")
def flaky(ctx: inngest.ContextSync) -> str:
    def shaky() -> str:
        record("shaky", ctx.attempt)
        if ctx.attempt == 0:
            raise Exception("first attempt fails")
        return "ok"

    return ctx.step.run("shaky", shaky)


@function("non-retriable")
def non_retriable(ctx: inngest.ContextSync) -> None:
    record("non-retriable", ctx.attempt)
    raise inngest.NonRetriableError("never works")


@function("sleeper")
def sleeper(ctx: inngest.ContextSync) -> dict:
    tag = ctx.event.data["tag"]
    ctx.step.run("sleep-before", lambda: record("sleep-before", ctx.attempt, tag=tag))
    ctx.step.sleep("nap", NAP)
    ctx.step.run("sleep-after", lambda: record("sleep-after", ctx.attempt, tag=tag))
    return {"slept": True}


@function("waiter")
def waiter(ctx: inngest.ContextSync) -> dict:
    tag = ctx.event.data["id"]
    ctx.step.run("wait-before", lambda: record("wait-before", ctx.attempt, tag=tag))
    found = ctx.step.wait_for_event("wait-match", **WAIT_MATCH)
    ctx.step.run("wait-after", lambda: record("wait-after", ctx.attempt, tag=tag))
    return found_output(found)


@function("wait-timeout")
def wait_timeout(ctx: inngest.ContextSync) -> dict:
    found = ctx.step.wait_for_event("never", **WAIT_NEVER)
    ctx.step.run("timeout-after", lambda: record("timeout-after", ctx.attempt))
    return {"timed_out": found is None}


@function("invoke-child")
def invoke_child(ctx: inngest.ContextSync) -> dict:
    n = ctx.event.data["n"]
    ctx.step.run("child-step", lambda: record("child-step", ctx.attempt, n=n))
    return {"doubled": n * 2}


@function("invoke-child-fails")
def invoke_child_fails(ctx: inngest.ContextSync) -> None:
    record("child-fails", ctx.attempt)
    raise inngest.NonRetriableError("child broke")


@function("invoke-parent")
def invoke_parent(ctx: inngest.ContextSync) -> dict:
    child = ctx.step.invoke("call-child", function=invoke_child, data={"n": 21})
    try:
        ctx.step.invoke_by_id("call-failing", function_id="invoke-child-fails", data={})
        caught = None
    except inngest.StepError as err:
        caught = {"name": err.name, "message": err.message}
    ctx.step.run("parent-after", lambda: record("parent-after", ctx.attempt))
    return {"child": child, "caught": caught}


@function("sender")
def sender(ctx: inngest.ContextSync) -> dict:
    marker = ctx.event.data["marker"]
    ids = ctx.step.send_event(
        "send-it", inngest.Event(name=f"{PREFIX}/sent-target", data={"marker": marker})
    )
    return {"ids": ids}


@function("sent-target")
def sent_target(ctx: inngest.ContextSync) -> dict:
    marker = ctx.event.data["marker"]
    ctx.step.run("target-step", lambda: record("target-step", ctx.attempt, marker=marker))
    return {"marker": marker}


def on_failure(ctx: inngest.ContextSync) -> None:
    record_failure(ctx)


@function("fails-handled", on_failure=on_failure)
def fails_handled(ctx: inngest.ContextSync) -> None:
    record("fails-handled", ctx.attempt)
    raise inngest.NonRetriableError(f"boom {ctx.event.data['tag']}")


@function("cancellable")
def cancellable(ctx: inngest.ContextSync) -> None:
    tag = ctx.event.data["id"]
    ctx.step.run("cancel-before", lambda: record("cancel-before", ctx.attempt, tag=tag))
    ctx.step.sleep("long-nap", LONG_NAP)
    ctx.step.run("cancel-after", lambda: record("cancel-after", ctx.attempt, tag=tag))


app = flask.Flask(__name__)
inngest.flask.serve(
    app,
    client,
    [
        three,
        flaky,
        non_retriable,
        sleeper,
        waiter,
        wait_timeout,
        invoke_child,
        invoke_child_fails,
        invoke_parent,
        sender,
        sent_target,
        fails_handled,
        cancellable,
    ],
)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT)
