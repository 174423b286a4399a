"""Screenshots of every public page, in Japanese and English, at 1280 px and on a phone (390 px),
with Debian's Chromium. Each page is also checked for sideways scrolling; the script exits 1 and
names the pages that scroll.

    .venv/bin/python scripts/screenshots.py [BASE_URL] [OUT_DIR]

BASE_URL defaults to http://127.0.0.1:8000 (start the site with `make run` first); OUT_DIR to
docs/screenshots. Files are named `<page>-<language>.png` and `<page>-<language>-phone.png`.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# Every public page, by the address without its language (the script puts /ja or /en in front).
PAGES = {
    "dashboard": "/",
    "documents": "/documents/",
    "statement": "/documents/caj-fmm5-2014/#p25",
    "items": "/items/?country=TM",
    "items-filtered": "/items/?country=KZ&country=TM&status=completed",
    "item": "/documents/caj-fmm5-2014/items/25.2/",
    "countries": "/countries/",
    "country": "/countries/TM/",
    "theme": "/themes/dialogue/",
    "figures": "/about/figures/",
    "not-found": "/documents/no-such-document/",
}
UNPREFIXED = {"api-docs": "/api/v1/docs/"}
WIDTHS = ((1280, ""), (390, "-phone"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    host = base.split("://", 1)[1].split("/", 1)[0].split(":")[0]
    scrolling = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for language in ("ja", "en"):
            addresses = {name: f"/{language}{path}" for name, path in PAGES.items()}
            addresses |= UNPREFIXED
            for width, suffix in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                # The API's documentation page has no language in its address: the cookie
                # picks it, as the language switch would have.
                context.add_cookies(
                    [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
                )
                page = context.new_page()
                for name, path in addresses.items():
                    page.goto(base + path)
                    if name == "api-docs":
                        page.locator(".opblock").first.wait_for(timeout=15000)
                    if page.evaluate("document.documentElement.scrollWidth") > width:
                        scrolling.append(f"{path} at {width} px")
                    target = out / f"{name}-{language}{suffix}.png"
                    # The statement opens at ¶25, as a shared link to it does; long pages are
                    # shown as the reader sees them on arrival, the others whole.
                    whole = name not in ("statement", "items", "countries", "api-docs")
                    page.screenshot(path=str(target), full_page=whole and not suffix)
                    print(target)
                context.close()
        browser.close()
    for line in scrolling:
        print("scrolls sideways:", line, file=sys.stderr)
    return 1 if scrolling else 0


if __name__ == "__main__":
    sys.exit(main())
