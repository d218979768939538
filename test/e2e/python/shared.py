"""What the Flask app (app.py) and the FastAPI app (fastapi_app.py) share.

Both serve the same functions: same ids, triggers and options, same steps and return values. Only
the handlers differ, since the SDK runs sync handlers (inngest.ContextSync, `ctx.step.run(...)`)
under Flask and async ones (inngest.Context, `await ctx.step.run(...)`) under FastAPI.

Started by python.e2e.test.ts with PORT, APP_ID, EVENT_PREFIX, CALLS_FILE and INNGEST_BASE_URL set.
Each step appends what it executed to CALLS_FILE so the test can assert exactly-once execution.
"""

import datetime
import json
import logging
import os
import typing

import inngest

PREFIX = os.environ["EVENT_PREFIX"]
CALLS_FILE = os.environ["CALLS_FILE"]
PORT = int(os.environ["PORT"])

client = inngest.Inngest(
    app_id=os.environ["APP_ID"],
    is_production=False,
    logger=logging.getLogger("sdk"),
)

# Options of each function beyond its id and trigger (`<prefix>/<fn_id>`).
_OPTIONS: dict[str, dict[str, typing.Any]] = {
    "three": {},
    "flaky": {"retries": 2},
    "non-retriable": {},
    "sleeper": {},
    "waiter": {},
    "wait-timeout": {},
    "invoke-child": {},
    "invoke-child-fails": {"retries": 0},
    "invoke-parent": {},
    "sender": {},
    "sent-target": {},
    "fails-handled": {"retries": 0},
    "cancellable": {
        "cancel": [
            inngest.Cancel(event=f"{PREFIX}/cancel", if_exp="event.data.id == async.data.id")
        ]
    },
}

# The options of the step.sleep and step.wait_for_event calls.
NAP = datetime.timedelta(seconds=1)
LONG_NAP = datetime.timedelta(hours=1)
WAIT_MATCH: dict[str, typing.Any] = {
    "event": f"{PREFIX}/waiter-match",
    "if_exp": "event.data.id == async.data.id",
    "timeout": datetime.timedelta(seconds=30),
}
WAIT_NEVER: dict[str, typing.Any] = {
    "event": f"{PREFIX}/never-sent",
    "if_exp": "event.data.id == async.data.id",
    "timeout": datetime.timedelta(seconds=1),
}


def function(fn_id: str, **extra: typing.Any) -> typing.Any:
    """client.create_function with the shared id, trigger and options of `fn_id`."""
    return client.create_function(
        fn_id=fn_id,
        trigger=inngest.TriggerEvent(event=f"{PREFIX}/{fn_id}"),
        **_OPTIONS[fn_id],
        **extra,
    )


def record(name: str, attempt: int, **extra: object) -> None:
    with open(CALLS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps({"name": name, "attempt": attempt, **extra}) + "\n")


def found_output(found: inngest.Event | None) -> dict:
    """The waiter's return value for what wait_for_event gave."""
    if found is None:
        return {"found": None}
    return {"found": {"id": found.id, "name": found.name, "data": dict(found.data)}}


def record_failure(ctx: inngest.Context | inngest.ContextSync) -> None:
    """What on_failure records from the inngest/function.failed event."""
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
