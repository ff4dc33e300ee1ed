"""A running cloud for compute tests: the worker and a host agent on libvirt's test driver,
in the test's event loop, against the same database and Redis prefix as the app."""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from arq.worker import Worker

from nimbus.processes import build_host_agent, build_worker
from nimbus.settings import Settings
from tests.conftest import GraphQLClient

TASK = "query($id: ID!) { node(id: $id) { ... on Task { id status stage error progress result } } }"
HOSTS = "{ hosts { edges { node { id name status vcpusUsed memoryUsedMb memoryMb serversCount } } } }"


class Cloud:
    def __init__(self, settings: Settings, storage: Path) -> None:
        self.settings, self.storage = settings, storage
        self.workers: list[Worker] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def start_worker(self) -> None:
        self._run(build_worker(self.settings, handle_signals=False))

    async def start_agent(self, name: str, uri: str = "test:///default", api_url: str | None = None) -> None:
        agent = build_host_agent(
            self.settings,
            libvirt_uri=uri,
            host_name=name,
            storage_dir=self.storage / name,
            handle_signals=False,
            api_url=api_url,
        )
        self._run(agent)

    def _run(self, worker: Worker) -> None:
        self.workers.append(worker)
        self.tasks.append(asyncio.create_task(worker.async_run()))

    async def stop(self) -> None:
        for worker in self.workers:
            await _idle(worker)  # a job cancelled mid-flight leaves unclosed Redis pipelines behind
        for worker in self.workers:
            try:
                await worker.close()
            except asyncio.CancelledError:
                # arq re-raises the cancellation of a job cut short by the stop: finish closing.
                await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
                if worker.on_shutdown:
                    await worker.on_shutdown(worker.ctx)
                await worker.pool.aclose()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        # arq's poll loop, cancelled in the middle of a Redis pipeline, leaves the pipeline to the
        # garbage collector, which warns; collect it here, where that warning is expected.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()


async def _idle(worker: Worker, timeout: float = 5) -> None:
    running = [t for t in worker.tasks.values() if not t.done()]
    if running:
        await asyncio.wait(running, timeout=timeout)


async def wait_for(check: Any, timeout: float = 20, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {value!r})")
        await asyncio.sleep(interval)


async def wait_task(client: GraphQLClient, task_id: str, timeout: float = 20) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        task = (await client.ok(TASK, {"id": task_id}))["node"]
        return task if task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED") else None

    result: dict[str, Any] = await wait_for(finished, timeout)
    return result


async def hosts(client: GraphQLClient) -> list[dict[str, Any]]:
    return [e["node"] for e in (await client.ok(HOSTS))["hosts"]["edges"]]


@pytest.fixture
async def cloud(settings: Settings, tmp_path: Path, admin: GraphQLClient) -> AsyncIterator[Cloud]:
    c = Cloud(settings, tmp_path)
    await c.start_worker()
    await c.start_agent("h1")

    async def registered() -> bool:
        return any(h["name"] == "h1" and h["status"] == "ONLINE" for h in await hosts(admin))

    await wait_for(registered)
    yield c
    await c.stop()
