from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from townhall.tenancy.models import Membership, Organisation, Site


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    reference_prefix = factory.Sequence(
        lambda n: "C" + "".join(chr(65 + int(d)) for d in f"{n:02d}")
    )


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    host = factory.Sequence(lambda n: f"council{n}.example")
    name = factory.Sequence(lambda n: f"Council {n} services")

    @factory.post_generation
    def organisations(self, create: bool, extracted: list[Organisation] | None) -> None:
        if create and extracted:
            self.organisations.add(*extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.gov.uk")
    email = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
