"""The functions of app.py, served with FastAPI under uvicorn with async handlers.

Same ids, triggers, options, steps and return values (shared.py); the handlers take an
inngest.Context and await the step tools. Step callbacks are async where that is natural
(`step.run` awaits a coroutine function, passing it *handler_args) and sync elsewhere, so both
of the async SDK's paths run.
"""

import fastapi
import inngest
import inngest.fast_api
import uvicorn

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
async def three(ctx: inngest.Context) -> dict:
    async def step(name: str, value: int) -> int:
        record(name, ctx.attempt)
        return value

    a = await ctx.step.run("one", step, "one", 1)
    b = await ctx.step.run("two", step, "two", a + 1)
    c = await ctx.step.run("three", step, "three", b + 1)
    return {"sum": a + b + c}


@function("flaky")
async def flaky(ctx: inngest.Context) -> str:
    async def shaky() -> str:
        record("shaky", ctx.attempt)
        if ctx.attempt == 0:
            raise Exception("first attempt fails")
        return "ok"

    return await ctx.step.run("shaky", shaky)


@function("non-retriable")
async def non_retriable(ctx: inngest.Context) -> None:
    record("non-retriable", ctx.attempt)
    raise inngest.NonRetriableError("never works")


@function("sleeper")
async def sleeper(ctx: inngest.Context) -> dict:
    tag = ctx.event.data["tag"]
    await ctx.step.run("sleep-before", lambda: record("sleep-before", ctx.attempt, tag=tag))
    await ctx.step.sleep("nap", NAP)
    await ctx.step.run("sleep-after", lambda: record("sleep-after", ctx.attempt, tag=tag))
    return {"slept": True}


@function("waiter")
async def waiter(ctx: inngest.Context) -> dict:
    tag = ctx.event.data["id"]
    await ctx.step.run("wait-before", lambda: record("wait-before", ctx.attempt, tag=tag))
    found = await ctx.step.wait_for_event("wait-match", **WAIT_MATCH)
    await ctx.step.run("wait-after", lambda: record("wait-after", ctx.attempt, tag=tag))
    return found_output(found)


@function("wait-timeout")
async def wait_timeout(ctx: inngest.Context) -> dict:
    found = await ctx.step.wait_for_event("never", **WAIT_NEVER)
    await ctx.step.run("timeout-after", lambda: record("timeout-after", ctx.attempt))
    return {"timed_out": found is None}


@function("invoke-child")
async def invoke_child(ctx: inngest.Context) -> dict:
    n = ctx.event.data["n"]
    await ctx.step.run("child-step", lambda: record("child-step", ctx.attempt, n=n))
    return {"doubled": n * 2}


@function("invoke-child-fails")
async def invoke_child_fails(ctx: inngest.Context) -> None:
    record("child-fails", ctx.attempt)
    raise inngest.NonRetriableError("child broke")


@function("invoke-parent")
async def invoke_parent(ctx: inngest.Context) -> dict:
    child = await ctx.step.invoke("call-child", function=invoke_child, data={"n": 21})
    try:
        await ctx.step.invoke_by_id("call-failing", function_id="invoke-child-fails", data={})
        caught = None
    except inngest.StepError as err:
        caught = {"name": err.name, "message": err.message}
    await ctx.step.run("parent-after", lambda: record("parent-after", ctx.attempt))
    return {"child": child, "caught": caught}


@function("sender")
async def sender(ctx: inngest.Context) -> dict:
    marker = ctx.event.data["marker"]
    ids = await ctx.step.send_event(
        "send-it", inngest.Event(name=f"{PREFIX}/sent-target", data={"marker": marker})
    )
    return {"ids": ids}


@function("sent-target")
async def sent_target(ctx: inngest.Context) -> dict:
    marker = ctx.event.data["marker"]
    await ctx.step.run("target-step", lambda: record("target-step", ctx.attempt, marker=marker))
    return {"marker": marker}


# An async function needs an async on_failure handler (the SDK refuses to mix them).
async def on_failure(ctx: inngest.Context) -> None:
    record_failure(ctx)


@function("fails-handled", on_failure=on_failure)
async def fails_handled(ctx: inngest.Context) -> None:
    record("fails-handled", ctx.attempt)
    raise inngest.NonRetriableError(f"boom {ctx.event.data['tag']}")


@function("cancellable")
async def cancellable(ctx: inngest.Context) -> None:
    tag = ctx.event.data["id"]
    await ctx.step.run("cancel-before", lambda: record("cancel-before", ctx.attempt, tag=tag))
    await ctx.step.sleep("long-nap", LONG_NAP)
    await ctx.step.run("cancel-after", lambda: record("cancel-after", ctx.attempt, tag=tag))


app = fastapi.FastAPI()
inngest.fast_api.serve(
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
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
