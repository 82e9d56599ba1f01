"""Date and number formats per language, where Django's own do not suit.

Townhall's English is British English under the code "en" (the code service
definitions use), so "en" takes Django's en_GB formats rather than its US ones.
"""
