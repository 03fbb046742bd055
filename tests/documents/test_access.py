"""Every register page and endpoint, for every role, in and out of scope (tests/access.py), and the writes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from giaoban.core.access import Role
from giaoban.documents.services import register
from tests.access import Endpoint, check, matrix

from .test_services import PDF

pytestmark = pytest.mark.django_db


class Pages:
    """One committee document with a file and an incoming entry in the user's province ("in") and in another."""

    def __init__(self, docs):
        self.committee = {"in": docs.committee, "out": docs.other_committee}
        self.doc, self.entry, self.file = {}, {}, {}
        for scope, committee in self.committee.items():
            entry = register.incoming_document_register(
                committee=committee,
                number=f"7{len(scope)}",
                symbol="CV/BTG",
                type="cong_van",
                date=date(2027, 3, 1),
                issuer="Ban Tuyên giáo",
                subject=f"Văn bản đến {scope}",
                received_on=date(2027, 3, 2),
            )
            self.entry[scope], self.doc[scope] = entry, entry.document
            self.file[scope] = register.document_file_add(
                document=entry.document, upload=SimpleUploadedFile("van-ban.pdf", PDF)
            )


def _c(p, s):
    return p.committee[s].pk


ENDPOINTS = [
    Endpoint("list", lambda p, s: "/documents/", marker=lambda p, s: f'href="/documents/{p.doc[s].pk}/"'),
    Endpoint("search", lambda p, s: "/documents/?q=cong+van", marker=lambda p, s: f'href="/documents/{p.doc[s].pk}/"'),
    Endpoint("outgoing", lambda p, s: f"/documents/committees/{_c(p, s)}/outgoing/"),
    Endpoint("outgoing-xlsx", lambda p, s: f"/documents/committees/{_c(p, s)}/outgoing.xlsx"),
    Endpoint("incoming", lambda p, s: f"/documents/committees/{_c(p, s)}/incoming/"),
    Endpoint("incoming-xlsx", lambda p, s: f"/documents/committees/{_c(p, s)}/incoming.xlsx"),
    Endpoint("document", lambda p, s: f"/documents/{p.doc[s].pk}/"),
    Endpoint("file", lambda p, s: f"/documents/{p.doc[s].pk}/files/{p.file[s].pk}/"),
    Endpoint("edit", lambda p, s: f"/documents/{p.doc[s].pk}/edit/", action="meet"),
    Endpoint("incoming-new", lambda p, s: f"/documents/incoming/new/?committee={_c(p, s)}", action="meet"),
    Endpoint("entry-edit", lambda p, s: f"/documents/incoming/{p.entry[s].pk}/edit/", action="meet"),
    Endpoint("entry-handle", lambda p, s: f"/documents/incoming/{p.entry[s].pk}/handle/", action="approve"),
    Endpoint("api-list", lambda p, s: "/api/v1/documents/", marker=lambda p, s: f'"Văn bản đến {s}"', api=True),
    Endpoint("api-document", lambda p, s: f"/api/v1/documents/{p.doc[s].pk}/", api=True),
    Endpoint("api-file", lambda p, s: f"/api/v1/documents/{p.doc[s].pk}/files/{p.file[s].pk}/", api=True),
    Endpoint("api-incoming-list", lambda p, s: "/api/v1/incoming/", marker=lambda p, s: f'"Văn bản đến {s}"', api=True),
    Endpoint("api-incoming", lambda p, s: f"/api/v1/incoming/{p.entry[s].pk}/", api=True),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_every_register_page_and_endpoint(client, docs, make_user, endpoint, role, scope):
    pages = Pages(docs)
    user = make_user(role, docs.tree.vn if role == Role.SYSTEM_ADMIN else docs.tree.p1)
    check(client, pages, endpoint, role, scope, user)


def test_everyone_signed_in_reads_the_reference_shelf_and_nobody_else(client, docs, make_user):
    url = f"/documents/{docs.nq35.pk}/"
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(make_user(Role.VIEWER, docs.tree.p2))
    assert client.get(url).status_code == 200


def test_a_committee_below_sees_what_it_received_but_not_the_rest_of_the_register(client, docs, make_user):
    pages = Pages(docs)
    commune = docs.committee.__class__.objects.create(name="BCĐ 35 xã", short_name="BCĐ 35", org_unit=docs.tree.n1)
    register.incoming_entry_create(committee=commune, document=pages.doc["in"], received_on=date(2027, 3, 5))
    client.force_login(make_user(Role.SECRETARY, docs.tree.n1))
    assert client.get(f"/documents/{pages.doc['in'].pk}/").status_code == 200
    assert client.get(f"/documents/committees/{docs.committee.pk}/incoming/").status_code == 404
    assert client.get(f"/documents/{pages.doc['in'].pk}/edit/").status_code == 404


def test_writes_are_404_out_of_scope_and_for_roles_without_the_action(client, docs, make_user):
    pages = Pages(docs)
    doc = pages.doc["in"]
    for user in (docs.outsider, docs.viewer):
        client.force_login(user)
        assert (
            client.post(f"/documents/{doc.pk}/relations/", {"kind": "implements", "target": "35-NQ/TW"}).status_code
            == 404
        )
        assert client.post(f"/documents/{doc.pk}/files/", {}).status_code == 404
        assert client.post(f"/documents/{doc.pk}/delete/").status_code == 404
        assert client.post(f"/documents/{doc.pk}/files/{pages.file['in'].pk}/delete/").status_code == 404
    client.force_login(docs.secretary)
    assert (
        client.post(f"/documents/{doc.pk}/relations/", {"kind": "implements", "target": "35-NQ/TW"}).status_code == 302
    )
    assert doc.relations.get().target == docs.nq35
