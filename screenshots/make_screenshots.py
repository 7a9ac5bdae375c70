"""Regenerate the README's pictures from the fixed sample data (`make screenshots`)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sample_data import build_sample  # noqa: E402
from tests.ui_helpers import make_app  # noqa: E402


async def _shoot(directory: Path, out: Path) -> None:
    config, db = build_sample(directory)
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        app.save_screenshot(filename="main.svg", path=str(out))
        await pilot.press("question_mark")
        await pilot.pause()
        app.save_screenshot(filename="help.svg", path=str(out))


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    os.environ["TZ"] = "UTC"
    time.tzset()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(_shoot(Path(directory), out))
    print(f"wrote {out / 'main.svg'} and {out / 'help.svg'}")


if __name__ == "__main__":
    main()
