from __future__ import annotations

import factory

from townhall.accounts.models import User

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - for test accounts only


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.gov.uk")
    password = factory.django.Password(TEST_PASSWORD)
