"""A unit admin runs the logins of their subtree from the site: create, import from CSV, roles, deactivate,
password-reset links, links to committee memberships; nothing outside the subtree, all or nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.core.errors import ImportRejected, ServiceError
from giaoban.orgs import selectors
from giaoban.orgs.models import Agency, Membership, UserProfile, UserRole
from giaoban.orgs.services import users as services
from tests.accounts.helpers import run_queued_tasks

User = get_user_model()

HEADER = "name,email,phone,unit,role,agency\n"


@pytest.fixture
def admin(tree, make_user):
    return make_user("unit_admin", tree.p1, first_name="Quản", last_name="Trị")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


# --- services -------------------------------------------------------------------------------------------


def test_it_creates_a_user_of_the_subtree_with_a_role_and_records_who_did_it(tree, admin):
    user = services.user_create(
        name="Nguyễn Văn An",
        email="An@Example.vn",
        phone="0912 345 678",
        org_unit=tree.n1,
        role="secretary",
        actor=admin,
    )
    assert (user.username, user.email, user.last_name, user.first_name) == (
        "an@example.vn",
        "an@example.vn",
        "Nguyễn Văn",
        "An",
    )
    assert not user.has_usable_password()
    assert user.giaoban_profile.org_unit == tree.n1 and user.giaoban_profile.phone == "0912 345 678"
    assert list(user.giaoban_roles.values_list("role", "org_unit__code")) == [("secretary", "15061")]
    assert user.history.first().history_user == admin
    assert UserRole.objects.get(user=user).history.first().history_user == admin
    assert selectors.users_for(admin).filter(pk=user.pk).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "khong-phai-thu"}, "email"),
        ({"phone": "12ab"}, "phone"),
        ({"role": "system_admin"}, "role"),
        ({"role": "agency_officer"}, "agency"),
    ],
)
def test_it_refuses_a_bad_user_and_says_which_field(tree, admin, kwargs, field):
    args = {"name": "Trần Bình", "email": "binh@example.vn", "org_unit": tree.n1, "actor": admin, **kwargs}
    with pytest.raises(ServiceError) as exc:
        services.user_create(**args)
    assert field in exc.value.extra["fields"], exc.value.extra
    assert not User.objects.filter(email="binh@example.vn").exists()


def test_it_refuses_a_unit_or_a_role_outside_the_admins_subtree(tree, admin, make_user):
    with pytest.raises(ServiceError) as exc:
        services.user_create(name="Lê Cường", email="cuong@example.vn", org_unit=tree.q1, actor=admin)
    assert "org_unit" in exc.value.extra["fields"]
    user = services.user_create(name="Lê Cường", email="cuong@example.vn", org_unit=tree.n1, actor=admin)
    for kwargs in ({"role": "viewer", "org_unit": tree.q1}, {"role": "viewer", "org_unit": tree.vn}):
        with pytest.raises(ServiceError, match="phạm vi"):
            services.userrole_grant(user=user, actor=admin, **kwargs)
    with pytest.raises(ServiceError):
        services.userrole_grant(user=user, role="system_admin", org_unit=tree.p1, actor=admin)
    assert not UserRole.objects.filter(user=user).exists()
    # A system administrator may grant system administration.
    root = make_user("system_admin", tree.vn)
    services.userrole_grant(user=user, role="system_admin", org_unit=tree.vn, actor=root)
    assert UserRole.objects.filter(user=user, role="system_admin").exists()


def test_it_grants_an_agency_officer_role_at_the_agencys_unit(tree, admin):
    agency = Agency.objects.create(name="Công an tỉnh", short_name="CA", org_unit=tree.p1)
    user = services.user_create(name="Phạm Dũng", email="dung@example.vn", org_unit=tree.p1, actor=admin)
    role = services.userrole_grant(user=user, role="agency_officer", agency=agency, actor=admin)
    assert (role.org_unit, role.agency) == (tree.p1, agency)
    with pytest.raises(ServiceError, match="đã có vai trò"):
        services.userrole_grant(user=user, role="agency_officer", agency=agency, actor=admin)
    other = Agency.objects.create(name="Công an Hà Nội", org_unit=tree.p2)
    with pytest.raises(ServiceError):
        services.userrole_grant(user=user, role="agency_officer", agency=other, actor=admin)


def test_users_outside_the_subtree_or_above_it_are_not_the_admins(tree, admin, make_user):
    inside = make_user("secretary", tree.n1)
    outside = make_user("secretary", tree.q1)
    straddling = make_user("viewer", tree.n1)
    UserRole.objects.create(user=straddling, role="viewer", org_unit=tree.vn)
    sysadmin = make_user("system_admin", tree.p1)
    visible = set(selectors.users_for(admin).values_list("pk", flat=True))
    assert inside.pk in visible and admin.pk in visible
    assert not visible & {outside.pk, straddling.pk, sysadmin.pk}


def test_removing_the_last_role_keeps_the_user_in_the_subtree(tree, admin, make_user):
    user = make_user("secretary", tree.n1)  # made outside the site: no profile yet
    services.userrole_remove(user_role=user.giaoban_roles.get(), actor=admin)
    assert not user.giaoban_roles.exists()
    assert UserProfile.objects.get(user=user).org_unit == tree.n1
    assert selectors.users_for(admin).filter(pk=user.pk).exists()
    history = UserRole.history.filter(user_id=user.pk, history_type="-").get()
    assert history.history_user == admin


def test_a_deactivated_user_cannot_sign_in_and_can_be_reactivated(client, tree, admin, make_user):
    user = make_user("secretary", tree.n1, username="thuky", password="mat-khau-dai-123")
    services.user_deactivate(user=user, actor=admin)
    assert client.post("/accounts/login/", {"username": "thuky", "password": "mat-khau-dai-123"}).status_code == 200
    assert user.history.first().history_user == admin and user.history.first().is_active is False
    services.user_reactivate(user=user, actor=admin)
    assert client.post("/accounts/login/", {"username": "thuky", "password": "mat-khau-dai-123"}).status_code == 302
    with pytest.raises(ServiceError):
        services.user_deactivate(user=admin, actor=admin)


def test_a_signed_in_user_is_signed_out_once_deactivated(client, tree, admin, make_user):
    user = make_user("secretary", tree.n1)
    client.force_login(user)
    assert client.get("/").status_code == 200
    services.user_deactivate(user=user, actor=admin)
    assert client.get("/").status_code == 302


# --- CSV import -----------------------------------------------------------------------------------------


def test_it_imports_users_from_a_csv_with_a_bom(tree, admin):
    agency = Agency.objects.create(name="Công an tỉnh Thanh Hóa", short_name="CA tỉnh", org_unit=tree.p1)
    data = (
        "\ufeff" + HEADER + "Nguyễn Thị Hoa,hoa@example.vn,0912345678,15061,secretary,\n"
        "Trần Văn Bình,binh@example.vn,,38,Người duyệt,\n"
        "Lê Văn Cường,cuong@example.vn,+84 912 000 111,38,agency_officer,ca tinh\n"
        "Đỗ Thị Dung,dung@example.vn,,15085,,\n"
    ).encode()
    made = services.users_import_csv(data, actor=admin)
    assert [u.email for u in made] == ["hoa@example.vn", "binh@example.vn", "cuong@example.vn", "dung@example.vn"]
    roles = {(r.user.email, r.role, r.org_unit.code, r.agency_id) for r in UserRole.objects.filter(user__in=made)}
    assert roles == {
        ("hoa@example.vn", "secretary", "15061", None),
        ("binh@example.vn", "approver", "38", None),
        ("cuong@example.vn", "agency_officer", "38", agency.pk),
    }
    assert User.objects.get(email="dung@example.vn").giaoban_profile.org_unit == tree.n2


def test_a_bad_csv_names_every_error_by_row_and_column_and_writes_nothing(tree, admin, make_user):
    make_user("viewer", tree.n1, email="taken@example.vn")
    data = (
        HEADER + "Nguyễn Thị Hoa,hoa@example.vn,0912345678,15061,secretary,\n"  # good
        ",khong-phai-thu,12,15061,secretary,\n"  # row 3: name, email, phone
        "Trần Bình,taken@example.vn,,00004,viewer,\n"  # row 4: email taken, unit outside the subtree
        "Lê Cường,hoa@example.vn,,38,chief,\n"  # row 5: email repeated, unknown role
        "Phạm Dũng,dung@example.vn,,38,system_admin,\n"  # row 6: role not grantable
        "Vũ Em,em@example.vn,,99999,viewer,\n"  # row 7: no such unit
    )
    before = (User.objects.count(), UserRole.objects.count(), UserProfile.objects.count())
    with pytest.raises(ImportRejected) as exc:
        services.users_import_csv(data, actor=admin)
    where = {(e["row"], e["column"]) for e in exc.value.errors}
    assert where == {
        (3, "name"),
        (3, "email"),
        (3, "phone"),
        (4, "email"),
        (4, "unit"),
        (5, "email"),
        (5, "role"),
        (6, "role"),
        (7, "unit"),
    }, exc.value.errors
    # The same words for a unit that does not exist and one outside the subtree: nothing is confirmed.
    unit_msgs = {e["row"]: e["message"] for e in exc.value.errors if e["column"] == "unit"}
    assert unit_msgs[4].replace("00004", "X") == unit_msgs[7].replace("99999", "X")
    assert (User.objects.count(), UserRole.objects.count(), UserProfile.objects.count()) == before


def test_csv_errors_come_in_the_users_language(tree, admin, compiled_locale):
    from django.utils import translation

    data = HEADER + "A,a@example.vn,,15061,chief,\n"
    with translation.override("en"), pytest.raises(ImportRejected) as exc:
        services.users_import_csv(data, actor=admin)
    assert exc.value.errors[0]["message"].startswith("Invalid role")
    with pytest.raises(ImportRejected) as exc:
        services.users_import_csv(data, actor=admin)
    assert exc.value.errors[0]["message"].startswith("Vai trò không hợp lệ")


def test_a_csv_without_the_needed_columns_says_which(tree, admin):
    with pytest.raises(ImportRejected) as exc:
        services.users_import_csv("name,phone\nA,0912345678\n", actor=admin)
    assert exc.value.errors[0]["row"] == 1 and "email" in exc.value.errors[0]["message"]


def test_importing_users_takes_the_same_number_of_queries_whatever_the_rows(tree, admin):
    def run(n: int, start: int) -> int:
        rows = "".join(f"Người Thứ {i},u{i}@example.vn,,15061,viewer,\n" for i in range(start, start + n))
        with CaptureQueriesContext(connection) as ctx:
            services.users_import_csv(HEADER + rows, actor=admin)
        return len(ctx)

    small, large = run(5, 0), run(50, 100)
    # Checked whole and written in bulk: the same number of queries for 5 rows or 50.
    assert large <= small, (small, large)


# --- pages ----------------------------------------------------------------------------------------------


def test_the_user_list_finds_people_without_diacritics_by_name_email_or_unit(admin_client, tree, admin):
    services.user_create(name="Nguyễn Thị Hoa", email="hoa@example.vn", org_unit=tree.n1, role="secretary", actor=admin)
    services.user_create(name="Trần Văn Bình", email="binh@example.vn", org_unit=tree.n2, actor=admin)
    page = admin_client.get("/users/?q=nguyen+thi+hoa").content.decode()
    assert "Nguyễn Thị Hoa" in page and "Trần Văn Bình" not in page
    page = admin_client.get("/users/?q=binh@example").content.decode()
    assert "Trần Văn Bình" in page and "Nguyễn Thị Hoa" not in page
    page = admin_client.get("/users/?q=thach+lap").content.decode()  # the unit Xã Thạch Lập
    assert "Trần Văn Bình" in page and "Nguyễn Thị Hoa" not in page
    htmx = admin_client.get("/users/?q=hoa", headers={"HX-Request": "true"}).content.decode()
    assert "Nguyễn Thị Hoa" in htmx and "<html" not in htmx


def test_the_user_list_runs_the_same_number_of_queries_however_many_users(admin_client, tree, admin):
    counts = []
    for n in (3, 30):
        for i in range(n):
            services.user_create(
                name=f"Người {len(counts)}-{i}",
                email=f"p{len(counts)}-{i}@example.vn",
                org_unit=tree.n1,
                role="viewer",
                actor=admin,
            )
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get("/users/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_a_unit_admin_creates_a_user_who_is_sent_a_link_to_set_a_password(
    admin_client, tree, settings, admin, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/users/new/",
            {
                "name": "Nguyễn Văn Mới",
                "email": "moi@example.vn",
                "phone": "0912345678",
                "org_unit": "15061",
                "role": "secretary",
                "send_link": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="moi@example.vn")
    assert response["Location"] == f"/users/{user.pk}/"
    run_queued_tasks()  # the e-mail is sent by the task worker
    assert [m.to for m in mail.outbox] == [["moi@example.vn"]] and "/accounts/reset/" in mail.outbox[0].body
    outside = admin_client.post("/users/new/", {"name": "X", "email": "x@example.vn", "org_unit": "00004"})
    assert "Không tìm thấy đơn vị" in outside.content.decode() and not User.objects.filter(email="x@example.vn").exists()
    again = admin_client.post("/users/new/", {"name": "X", "email": "MOI@example.vn", "org_unit": "15061"})
    assert (
        "đã có tài khoản" in again.content.decode() and User.objects.filter(email__iexact="moi@example.vn").count() == 1
    )


def test_the_reset_link_sent_from_the_user_page_lets_the_user_choose_a_password(
    client, tree, admin, make_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = services.user_create(name="Lê Thị Lan", email="lan@example.vn", org_unit=tree.n1, actor=admin)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/users/{user.pk}/password-reset/")
    assert response.status_code == 302 and mail.outbox == []  # queued, not sent by the request
    run_queued_tasks()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@example.vn"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    assert user.history.first().history_change_reason == "password reset link sent"
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(set_url, {"new_password1": "Mat-khau-moi-2026!", "new_password2": "Mat-khau-moi-2026!"})
    assert done.status_code == 302
    signed_in = client.post("/accounts/login/", {"username": "lan@example.vn", "password": "Mat-khau-moi-2026!"})
    assert signed_in.status_code == 302


def test_new_users_get_their_link_once_created(tree, admin, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        made = services.users_import_csv(
            HEADER + "A An,a@example.vn,,15061,viewer,\nB Bình,b@example.vn,,15061,viewer,\n", actor=admin
        )
        services.send_links_after_commit(made, actor=admin, domain="giaoban.example", use_https=True)
    run_queued_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.vn", "b@example.vn"]
    assert "https://giaoban.example/accounts/reset/" in mail.outbox[0].body


def test_the_user_page_grants_and_removes_roles_within_the_subtree_only(admin_client, tree, admin):
    user = services.user_create(name="Võ Văn Giang", email="giang@example.vn", org_unit=tree.n1, actor=admin)
    ok = admin_client.post(f"/users/{user.pk}/roles/", {"role": "approver", "org_unit": "38"})
    assert ok.status_code == 302
    outside = admin_client.post(f"/users/{user.pk}/roles/", {"role": "viewer", "org_unit": "00004"})
    assert outside.status_code == 400 and "phạm vi" in outside.content.decode()
    sysadmin = admin_client.post(f"/users/{user.pk}/roles/", {"role": "system_admin", "org_unit": "38"})
    assert sysadmin.status_code == 400
    assert list(user.giaoban_roles.values_list("role", flat=True)) == ["approver"]
    role = user.giaoban_roles.get()
    assert admin_client.post(f"/users/{user.pk}/roles/{role.pk}/remove/").status_code == 302
    assert not user.giaoban_roles.exists()


def test_the_user_page_edits_deactivates_and_links_a_committee_member(admin_client, tree, admin, committees):
    user = services.user_create(name="Võ Văn Giang", email="giang@example.vn", org_unit=tree.n1, actor=admin)
    edited = admin_client.post(
        f"/users/{user.pk}/", {"name": "Võ Văn Giàng", "email": "giang2@example.vn", "phone": "", "org_unit": "15085"}
    )
    assert edited.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.email, user.username, user.giaoban_profile.org_unit) == (
        "Giàng",
        "giang2@example.vn",
        "giang2@example.vn",
        tree.n2,
    )
    assert admin_client.post(f"/users/{user.pk}/active/", {"active": "0"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert "đã khóa" in admin_client.get("/users/?is_active=false").content.decode()
    member = Membership.objects.filter(committee=committees["38"]).first()
    assert admin_client.post(f"/users/{user.pk}/memberships/", {"membership": member.pk}).status_code == 302
    member.refresh_from_db()
    assert member.user == user and member.history.first().history_user == admin
    other = Membership.objects.filter(committee=committees["01"]).first()
    assert admin_client.post(f"/users/{user.pk}/memberships/", {"membership": other.pk}).status_code == 400
    assert admin_client.post(f"/users/{user.pk}/memberships/{member.pk}/unlink/").status_code == 302
    member.refresh_from_db()
    assert member.user is None


def test_the_import_page_lists_errors_by_row_and_column(admin_client, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("u.csv", (HEADER + "A,a@example.vn,,99999,viewer,\n").encode(), "text/csv")
    page = admin_client.post("/users/import/", {"file": bad}).content.decode()
    assert "<td>2</td><td>unit</td>" in page and "99999" in page
    good = SimpleUploadedFile("u.csv", ("\ufeff" + HEADER + "A An,a@example.vn,,15061,viewer,\n").encode(), "text/csv")
    assert admin_client.post("/users/import/", {"file": good}).status_code == 302
    assert User.objects.filter(email="a@example.vn").exists()


def test_people_out_of_scope_are_404_on_every_user_page(admin_client, tree, make_user):
    outsider = make_user("secretary", tree.q1)
    for url in (
        f"/users/{outsider.pk}/",
        f"/users/{outsider.pk}/roles/",
        f"/users/{outsider.pk}/active/",
        f"/users/{outsider.pk}/password-reset/",
        f"/users/{outsider.pk}/memberships/",
    ):
        response = admin_client.post(url, {"role": "viewer", "org_unit": "38", "active": "0"})
        assert response.status_code == 404, url
    outsider.refresh_from_db()
    assert outsider.is_active
