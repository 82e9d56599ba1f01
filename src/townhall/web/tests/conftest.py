from townhall.testing.browser import browser, council_site, frontend_built, new_page

__all__ = ["browser", "council_site", "frontend_built", "new_page"]
