"""A real app built with the official Python SDK (inngest on PyPI), served with Flask.

Started by python.e2e.test.ts with PORT, APP_ID, EVENT_PREFIX and INNGEST_BASE_URL set.
Each step appends what it executed to CALLS_FILE so the test can assert exactly-once execution.
"""

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


def record(name: str, attempt: int) -> None:
    with open(CALLS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps({"name": name, "attempt": attempt}) + "\n")


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


app = flask.Flask(__name__)
inngest.flask.serve(app, client, [three, flaky, non_retriable])

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
