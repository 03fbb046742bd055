"""Steps the browser tests share."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def open_menu_and_follow(page, link_name: str) -> None:
    """Open the phone menu, wait for Bootstrap's collapse to finish (a click during its height transition can
    land on the moving list and be lost), then follow a link and wait for the new page."""
    page.get_by_role("button", name="Mở menu").click()
    menu = page.locator("#nav")
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu).not_to_have_class(re.compile(r"collapsing"))
    link = menu.get_by_role("link", name=link_name, exact=True)
    href = link.get_attribute("href")
    with page.expect_navigation(url=re.compile(re.escape(href) + r"$"), timeout=30_000):
        link.click()
