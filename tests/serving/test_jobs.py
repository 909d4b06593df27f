"""nerkit/serving/jobs.py: a job counts its characters and has a place for
each text's entities; an answer settles a request still waiting and
skips one whose client went away."""

import asyncio

from nerkit.serving.jobs import Job, QueueFull, settle


def test_a_job_counts_its_characters_and_holds_a_result_a_text():
    async def make():
        loop = asyncio.get_running_loop()
        return Job(["a model", "", "xyz"], deadline=0.0, loop=loop, future=loop.create_future())

    job = asyncio.run(make())
    assert (job.chars, job.results, job.next_text, job.settled) == (10, [None, None, None], 0, False)
    assert QueueFull("fast", 5, 6, 2).retry_after == 2


def test_an_answer_settles_a_waiting_request_and_skips_a_cancelled_one():
    async def run():
        loop = asyncio.get_running_loop()
        waiting, gone, failing = loop.create_future(), loop.create_future(), loop.create_future()
        gone.cancel()
        settle(waiting, [["ents"]], None)
        settle(gone, [["lost"]], None)
        settle(failing, None, ValueError("a text failed"))
        return waiting.result(), gone.cancelled(), failing.exception()

    result, cancelled, error = asyncio.run(run())
    assert result == [["ents"]] and cancelled and str(error) == "a text failed"
