"""Retention: deleting activation records older than the configured age, periodically."""

from __future__ import annotations

import asyncio
import logging

from emulator.namespace.clock import Clock
from emulator.store.activation_store import ActivationStore

logger = logging.getLogger(__name__)


async def prune_periodically(
    store: ActivationStore, *, retention_ms: int, clock: Clock, interval: float = 600.0
) -> None:
    """Forever: prune records older than retention_ms (first pass at once), then sleep interval."""
    while True:
        cutoff = clock.now_ms() - retention_ms
        try:
            deleted = await store.prune(cutoff)
        except Exception:
            # A failed pass (say, the file locked for longer than the retry budget) must not
            # end retention for the life of the emulator; the next pass tries again.
            logger.exception("pruning activation records older than %d failed", cutoff)
        else:
            if deleted:
                logger.info("pruned %d activation records older than %d", deleted, cutoff)
        await asyncio.sleep(interval)
