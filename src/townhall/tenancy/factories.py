from __future__ import annotations

import factory

from townhall.accounts.factories import UserFactory
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


__all__ = ["MembershipFactory", "OrganisationFactory", "SiteFactory", "UserFactory"]


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
