"""Importing and publishing service definitions: versions, and nothing half-written."""

from __future__ import annotations

import copy

import pytest

from townhall.catalogue.engine.definition import DefinitionError
from townhall.catalogue.factories import definition_data, page_data, question_data
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.selectors import service_for_slug, services_for
from townhall.catalogue.services import service_import, service_publish
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

pytestmark = pytest.mark.django_db

Status = ServiceVersion.Status


@pytest.fixture
def definition():
    return definition_data(slug="report-graffiti", name="Report graffiti", category="Streets")


def changed(definition, **fields):
    new = copy.deepcopy(definition)
    new.update(fields)
    return new


def statuses(service) -> dict[int, str]:
    return dict(service.versions.values_list("number", "status"))


def test_importing_a_new_service_creates_and_publishes_version_1(council, definition):
    result = service_import(organisation=council, definition=definition)

    assert result.changed is True
    service = Service.objects.get(organisation=council, slug="report-graffiti")
    assert result.service == service
    assert (service.name, service.category) == ("Report graffiti", "Streets")
    assert service.summary == "Use this service to report graffiti."
    assert service.published_version == result.version
    assert result.version.number == 1
    assert result.version.status == Status.PUBLISHED
    assert result.version.published_at is not None
    assert result.version.definition == definition
    assert result.version.parsed.name == "Report graffiti"


def test_importing_an_unchanged_definition_adds_no_version(council, definition):
    first = service_import(organisation=council, definition=definition)
    again = service_import(organisation=council, definition=copy.deepcopy(definition))

    assert again.changed is False
    assert again.version == first.version
    assert statuses(first.service) == {1: Status.PUBLISHED}


def test_importing_a_changed_definition_publishes_the_next_version(council, definition):
    first = service_import(organisation=council, definition=definition)
    second = service_import(
        organisation=council, definition=changed(definition, name="Report graffiti or flyposting")
    )

    assert second.changed is True
    assert second.version.number == 2
    assert statuses(first.service) == {1: Status.RETIRED, 2: Status.PUBLISHED}
    service = Service.objects.get(pk=first.service.pk)
    assert service.published_version == second.version
    assert service.name == "Report graffiti or flyposting"
    # The first version is kept as it was, for the cases made under it.
    assert ServiceVersion.objects.get(pk=first.version.pk).definition == definition


def test_each_change_adds_one_version(council, definition):
    for n in range(1, 4):
        result = service_import(
            organisation=council, definition=changed(definition, summary=f"Version {n}.")
        )
        assert result.version.number == n
    assert statuses(result.service) == {1: Status.RETIRED, 2: Status.RETIRED, 3: Status.PUBLISHED}


def test_an_invalid_definition_is_refused_before_anything_is_written(council, definition):
    del definition["name"]
    with pytest.raises(DefinitionError) as caught:
        service_import(organisation=council, definition=definition)
    assert caught.value.problems == ["(definition): 'name' is a required property"]
    assert not Service.objects.exists()
    assert not ServiceVersion.objects.exists()


def test_an_invalid_change_leaves_the_published_version_alone(council, definition):
    first = service_import(organisation=council, definition=definition)
    broken = changed(
        definition, pages=[page_data("one", question_data("a", "dat", "A broken question"))]
    )
    with pytest.raises(DefinitionError, match=r"pages\[0\]\.questions\[0\]\.type: unknown type"):
        service_import(organisation=council, definition=broken)

    service = Service.objects.get(pk=first.service.pk)
    assert service.published_version == first.version
    assert statuses(service) == {1: Status.PUBLISHED}


def test_importing_without_publishing_keeps_residents_on_the_published_version(council, definition):
    first = service_import(organisation=council, definition=definition)
    draft = service_import(
        organisation=council, definition=changed(definition, name="New name"), publish=False
    )

    assert draft.changed is True
    assert draft.version.status == Status.DRAFT
    service = Service.objects.get(pk=first.service.pk)
    assert service.published_version == first.version
    assert service.name == "Report graffiti"


def test_a_new_service_imported_without_publishing_is_not_offered(council, definition):
    result = service_import(organisation=council, definition=definition, publish=False)
    assert result.service.published_version is None
    assert services_for([council]) == []
    assert service_for_slug([council], "report-graffiti") is None


def test_importing_a_draft_again_with_publish_publishes_it_without_a_new_version(
    council, definition
):
    service_import(organisation=council, definition=definition)
    new = changed(definition, name="New name")
    draft = service_import(organisation=council, definition=new, publish=False)
    published = service_import(organisation=council, definition=new)

    assert published.changed is False
    assert published.version == draft.version
    assert statuses(draft.service) == {1: Status.RETIRED, 2: Status.PUBLISHED}
    assert Service.objects.get(pk=draft.service.pk).name == "New name"


def test_publishing_an_earlier_version_rolls_back_to_it(council, definition):
    first = service_import(organisation=council, definition=definition)
    service_import(organisation=council, definition=changed(definition, name="Changed"))

    service_publish(version=ServiceVersion.objects.get(pk=first.version.pk))

    service = Service.objects.get(pk=first.service.pk)
    assert service.published_version_id == first.version.pk
    assert service.name == "Report graffiti"
    assert statuses(service) == {1: Status.PUBLISHED, 2: Status.RETIRED}


def test_each_council_has_its_own_copy_of_a_service(council, other_council, definition):
    ours = service_import(organisation=council, definition=definition)
    theirs = service_import(organisation=other_council, definition=changed(definition, name="X"))

    assert ours.service != theirs.service
    assert theirs.version.number == 1
    assert Service.objects.get(pk=ours.service.pk).name == "Report graffiti"
    assert services_for([council]) == [ours.service]
    assert service_for_slug([other_council], "report-graffiti") == theirs.service


def test_a_published_version_reads_its_own_definition(council, definition):
    first = service_import(organisation=council, definition=definition)
    second = service_import(organisation=council, definition=changed(definition, name="Two"))

    assert ServiceVersion.objects.get(pk=first.version.pk).parsed.name == "Report graffiti"
    assert ServiceVersion.objects.get(pk=second.version.pk).parsed.name == "Two"


def test_the_standard_fly_tipping_service_imports(council):
    data = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    result = service_import(organisation=council, definition=data)
    assert result.service.name == "Report fly-tipping"
    assert result.service.category == "Bins, rubbish and recycling"
    assert service_for_slug([council], "report-fly-tipping") == result.service


def test_a_reused_version_id_never_reads_another_versions_definition(council, definition):
    """Databases can reuse ids (a rolled-back import, a restored backup): the cache of
    parsed definitions must not hand the old definition to the new version."""
    first = service_import(organisation=council, definition=definition)
    version_id = first.version.pk
    assert ServiceVersion.objects.get(pk=version_id).parsed.name == "Report graffiti"

    Service.objects.filter(pk=first.service.pk).update(published_version=None)
    ServiceVersion.objects.filter(pk=version_id).delete()
    ServiceVersion.objects.create(
        pk=version_id,
        service=first.service,
        number=1,
        status=Status.PUBLISHED,
        definition=changed(definition, name="Report a pothole"),
    )
    assert ServiceVersion.objects.get(pk=version_id).parsed.name == "Report a pothole"
