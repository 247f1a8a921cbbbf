"""Rate limits every gateway instance shares: a count per bucket and minute in the gateway's database.

The buckets: password login attempts by client address (``ip:<address>``) and in all (``all``, R-2), and a state
portal client's calls (``portal:<client_id>``, R-70). PostgreSQL is already on each of these requests' path and
is the one place every instance sees, so one atomic upsert per bucket counts exactly across instances and
parallel requests, with no store of its own (there is no Redis here).
"""

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.local_logins import rate_window
from gateway.models import LoginAttempts


async def over_rate_limit(session: AsyncSession, limits: dict[str, int]) -> int | None:
    """Counts one call in each bucket; the seconds to wait when any bucket is past its limit this minute, else None."""
    minute, seconds_left = rate_window(datetime.now(UTC))
    await session.execute(delete(LoginAttempts).where(LoginAttempts.minute < minute))
    over = False
    for bucket, limit in limits.items():
        counted = await session.scalar(
            insert(LoginAttempts)
            .values(bucket=bucket[:80], minute=minute, attempts=1)
            .on_conflict_do_update(
                index_elements=[LoginAttempts.bucket, LoginAttempts.minute],
                set_={"attempts": LoginAttempts.attempts + 1},
            )
            .returning(LoginAttempts.attempts)
        )
        over = over or (counted or 0) > limit
    return seconds_left if over else None
