"""The form engine: parses service definitions and runs residents through them.

Plain Python with no database access, so it can be tested, benchmarked and
reused (staff forms, API submissions) without a request.
"""
