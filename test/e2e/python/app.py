"""A real app built with the official Python SDK (inngest on PyPI), served with Flask.

Started by python.e2e.test.ts with PORT, APP_ID, EVENT_PREFIX and INNGEST_BASE_URL set.
Each step appends what it executed to CALLS_FILE so the test can assert exactly-once execution.
Flask only: the venv has no FastAPI/uvicorn/asgiref, so every handler is sync (inngest.ContextSync).
"""

import datetime
import json
import logging
import os

import flask
import inngest
import inngest.flask

PREFIX = os.environ["EVENT_PREFIX"]
CALLS_FILE = os.environ["CALLS_FILE"]

client = inngest.Inngest(
    app_id=os.environ["APP_ID"],
    is_production=False,
    logger=logging.getLogger("sdk"),
)


def record(name: str, attempt: int, **extra: object) -> None:
    with open(CALLS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps({"name": name, "attempt": attempt, **extra}) + "\n")


@client.create_function(fn_id="three", trigger=inngest.TriggerEvent(event=f"{PREFIX}/three"))
def three(ctx: inngest.ContextSync) -> dict:
    def step(name: str, value: int) -> int:
        record(name, ctx.attempt)
        return value

    a = ctx.step.run("one", lambda: step("one", 1))
    b = ctx.step.run("two", lambda: step("two", a + 1))
    c = ctx.step.run("three", lambda: step("three", b + 1))
    return {"sum": a + b + c}


@client.create_function(
    fn_id="flaky", retries=2, trigger=inngest.TriggerEvent(event=f"{PREFIX}/flaky")
)
def flaky(ctx: inngest.ContextSync) -> str:
    def shaky() -> str:
        record("shaky", ctx.attempt)
        if ctx.attempt == 0:
            raise Exception("first attempt fails")
        return "ok"

    return ctx.step.run("shaky", shaky)


@client.create_function(
    fn_id="non-retriable", trigger=inngest.TriggerEvent(event=f"{PREFIX}/non-retriable")
)
def non_retriable(ctx: inngest.ContextSync) -> None:
    record("non-retriable", ctx.attempt)
    raise inngest.NonRetriableError("never works")


@client.create_function(fn_id="sleeper", trigger=inngest.TriggerEvent(event=f"{PREFIX}/sleeper"))
def sleeper(ctx: inngest.ContextSync) -> dict:
    tag = ctx.event.data["tag"]
    ctx.step.run("sleep-before", lambda: record("sleep-before", ctx.attempt, tag=tag))
    ctx.step.sleep("nap", datetime.timedelta(seconds=1))
    ctx.step.run("sleep-after", lambda: record("sleep-after", ctx.attempt, tag=tag))
    return {"slept": True}


@client.create_function(fn_id="waiter", trigger=inngest.TriggerEvent(event=f"{PREFIX}/waiter"))
def waiter(ctx: inngest.ContextSync) -> dict:
    tag = ctx.event.data["id"]
    ctx.step.run("wait-before", lambda: record("wait-before", ctx.attempt, tag=tag))
    found = ctx.step.wait_for_event(
        "wait-match",
        event=f"{PREFIX}/waiter-match",
        if_exp="event.data.id == async.data.id",
        timeout=datetime.timedelta(seconds=30),
    )
    ctx.step.run("wait-after", lambda: record("wait-after", ctx.attempt, tag=tag))
    if found is None:
        return {"found": None}
    return {"found": {"id": found.id, "name": found.name, "data": dict(found.data)}}


@client.create_function(
    fn_id="wait-timeout", trigger=inngest.TriggerEvent(event=f"{PREFIX}/wait-timeout")
)
def wait_timeout(ctx: inngest.ContextSync) -> dict:
    found = ctx.step.wait_for_event(
        "never",
        event=f"{PREFIX}/never-sent",
        if_exp="event.data.id == async.data.id",
        timeout=datetime.timedelta(seconds=1),
    )
    ctx.step.run("timeout-after", lambda: record("timeout-after", ctx.attempt))
    return {"timed_out": found is None}


@client.create_function(
    fn_id="invoke-child", trigger=inngest.TriggerEvent(event=f"{PREFIX}/invoke-child")
)
def invoke_child(ctx: inngest.ContextSync) -> dict:
    n = ctx.event.data["n"]
    ctx.step.run("child-step", lambda: record("child-step", ctx.attempt, n=n))
    return {"doubled": n * 2}


@client.create_function(
    fn_id="invoke-child-fails",
    retries=0,
    trigger=inngest.TriggerEvent(event=f"{PREFIX}/invoke-child-fails"),
)
def invoke_child_fails(ctx: inngest.ContextSync) -> None:
    record("child-fails", ctx.attempt)
    raise inngest.NonRetriableError("child broke")


@client.create_function(
    fn_id="invoke-parent", trigger=inngest.TriggerEvent(event=f"{PREFIX}/invoke-parent")
)
def invoke_parent(ctx: inngest.ContextSync) -> dict:
    child = ctx.step.invoke("call-child", function=invoke_child, data={"n": 21})
    try:
        ctx.step.invoke_by_id("call-failing", function_id="invoke-child-fails", data={})
        caught = None
    except inngest.StepError as err:
        caught = {"name": err.name, "message": err.message}
    ctx.step.run("parent-after", lambda: record("parent-after", ctx.attempt))
    return {"child": child, "caught": caught}


@client.create_function(fn_id="sender", trigger=inngest.TriggerEvent(event=f"{PREFIX}/sender"))
def sender(ctx: inngest.ContextSync) -> dict:
    marker = ctx.event.data["marker"]
    ids = ctx.step.send_event(
        "send-it", inngest.Event(name=f"{PREFIX}/sent-target", data={"marker": marker})
    )
    return {"ids": ids}


@client.create_function(
    fn_id="sent-target", trigger=inngest.TriggerEvent(event=f"{PREFIX}/sent-target")
)
def sent_target(ctx: inngest.ContextSync) -> dict:
    marker = ctx.event.data["marker"]
    ctx.step.run("target-step", lambda: record("target-step", ctx.attempt, marker=marker))
    return {"marker": marker}


def on_failure(ctx: inngest.ContextSync) -> None:
    data = ctx.event.data
    record(
        "on-failure",
        ctx.attempt,
        event_name=ctx.event.name,
        error=data.get("error"),
        original=(data.get("event") or {}).get("data"),
        function_id=data.get("function_id"),
        run_id=data.get("run_id"),
    )


@client.create_function(
    fn_id="fails-handled",
    retries=0,
    on_failure=on_failure,
    trigger=inngest.TriggerEvent(event=f"{PREFIX}/fails-handled"),
)
def fails_handled(ctx: inngest.ContextSync) -> None:
    record("fails-handled", ctx.attempt)
    raise inngest.NonRetriableError(f"boom {ctx.event.data['tag']}")


@client.create_function(
    fn_id="cancellable",
    cancel=[inngest.Cancel(event=f"{PREFIX}/cancel", if_exp="event.data.id == async.data.id")],
    trigger=inngest.TriggerEvent(event=f"{PREFIX}/cancellable"),
)
def cancellable(ctx: inngest.ContextSync) -> None:
    tag = ctx.event.data["id"]
    ctx.step.run("cancel-before", lambda: record("cancel-before", ctx.attempt, tag=tag))
    ctx.step.sleep("long-nap", datetime.timedelta(hours=1))
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
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
