"""Take screenshots of the public pages in Japanese and English with Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [BASE_URL] [OUT_DIR]

BASE_URL defaults to http://127.0.0.1:8000 (start the site with `make run` first).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "dashboard": "/",
    "statement": "/documents/caj-fmm5-2014/#p25",
    "items": "/items/?country=TM",
    "item": "/documents/caj-fmm5-2014/items/25.2/",
    "country": "/countries/TM/",
    "theme": "/themes/dialogue/",
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    host = base.split("://", 1)[1].split("/", 1)[0].split(":")[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in ("ja", "en"):
            for width, suffix in ((1280, ""), (390, "-phone")):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies(
                    [{"name": "django_language", "value": lang, "domain": host, "path": "/"}]
                )
                page = context.new_page()
                for name, path in PAGES.items():
                    if suffix and name not in ("dashboard", "statement"):
                        continue
                    page.goto(base + path)
                    target = out / f"{name}-{lang}{suffix}.png"
                    # Long pages are shown as the reader sees them on arrival (the statement
                    # opens at ¶25); the others whole.
                    whole = not suffix and name not in ("statement", "items")
                    page.screenshot(path=str(target), full_page=whole)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
