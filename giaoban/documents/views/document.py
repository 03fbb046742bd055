"""The document page (number and symbol, type, date, issuer, subject, signer, files, relations both ways, incoming
entries, the cascade links) and the register's forms: register an incoming document (document and line in one
step), enter a document already here into a committee's incoming register, edit, relations, files, a handling
instruction. A form the user may not use is 404, as an object out of scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action, scope_paths
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Committee, OrgUnit

from .. import selectors
from ..downloads import document_file_response
from ..forms import DocumentForm, EntryForm, FileForm, HandleForm, IncomingForm, RelationForm
from ..models import Document
from ..services import register
from .common import form_error, visible_committee


def _url(name: str, *args) -> str | None:
    """A URL another part of the app provides (the cascade pages), or None while it has none."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _document(user, pk: int) -> Document:
    document = selectors.document_for(user, pk)
    if document is None:
        raise Http404
    return document


def _writable(user, pk: int) -> Document:
    """A document whose register the user keeps, else 404."""
    document = get_object_or_404(selectors.documents_for(user), pk=pk)
    if not register.may_register(user, document.committee):
        raise Http404
    return document


@login_required
def document_detail(request, pk: int):
    user = request.user
    document = _document(user, pk)
    from giaoban.work.services.tasks import may_assign

    entries = document.visible_entries
    for e in entries:
        e.may_edit, e.may_handle = register.may_register(user, e.committee), may_assign(user, e.committee)
    keeps = register.may_register(user, document.committee)
    may_send = (document.committee_id is not None and keeps) or any(
        register.may_register(user, e.committee) for e in entries
    )
    # The committees of the user's own units (not the whole subtree, nor every committee for an administrator):
    # where this document can be entered as received.
    own_paths = scope_paths(user, Action.MEET) or []
    receivable = [
        c
        for c in Committee.objects.filter(org_unit__path__in=own_paths).select_related("org_unit")[:10]
        if c.pk not in {e.committee_id for e in entries} and c.pk != document.committee_id
    ]
    context = {
        "document": document,
        "relations_out": document.visible_relations,
        "relations_in": document.visible_related_from,
        "entries": entries,
        "keeps": keeps,
        "receivable": receivable,
        "relation_form": RelationForm(),
        "file_form": FileForm(),
        "coverage_url": _url("documents:coverage", document.pk) if document.cascades.exists() else None,
        "cascade_url": _url("documents:cascade", document.pk) if may_send else None,
    }
    return render(request, "documents/document_detail.html", context)


@login_required
def document_edit(request, pk: int):
    document = _writable(request.user, pk)
    fields = ("number", "symbol", "type", "date", "issuer", "subject", "signer")
    if request.method == "POST":
        form = DocumentForm(request.POST)
        if form.is_valid():
            try:
                register.document_update(
                    document=document,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **form.document_data(),
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Đã lưu văn bản."))
                return redirect("documents:document", pk=document.pk)
    else:
        form = DocumentForm(initial={**{f: getattr(document, f) for f in fields}, "version": document.version})
    return render(request, "documents/document_form.html", {"document": document, "form": form})


@login_required
@require_POST
def document_delete(request, pk: int):
    document = _writable(request.user, pk)
    committee_id = document.committee_id
    try:
        register.document_delete(document=document, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("documents:document", pk=pk)
    messages.success(request, _("Đã xóa văn bản."))
    if committee_id:
        return redirect("documents:incoming", committee_pk=committee_id)
    return redirect("documents:list")


@login_required
@require_POST
def relation_add(request, pk: int):
    document = _writable(request.user, pk)
    form = RelationForm(request.POST)
    if form.is_valid():
        wanted = form.cleaned_data["target"].strip()
        visible = selectors.documents_for(request.user)
        target = visible.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if target is None:
            matches = list(visible.filter(number_symbol__iexact=wanted).exclude(pk=document.pk)[:2])
            target = matches[0] if len(matches) == 1 else None
        if target is None:
            messages.error(request, _("Không tìm thấy đúng một văn bản số %(n)s (no single document).") % {"n": wanted})
        else:
            try:
                register.relation_add(
                    source=document, target=target, kind=form.cleaned_data["kind"], actor=request.user
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
    else:
        messages.error(request, _("Chọn quan hệ và văn bản (choose a relation and a document)."))
    return redirect("documents:document", pk=pk)


@login_required
@require_POST
def relation_remove(request, pk: int, relation_pk: int):
    document = _writable(request.user, pk)
    relation = get_object_or_404(document.relations.select_related("source__committee__org_unit"), pk=relation_pk)
    register.relation_remove(relation=relation, actor=request.user)
    return redirect("documents:document", pk=pk)


@login_required
@require_POST
def file_add(request, pk: int):
    document = _writable(request.user, pk)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            register.document_file_add(document=document, upload=form.cleaned_data["file"], actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã tải tệp lên."))
    else:
        messages.error(request, _("Chọn tệp để tải lên (choose a file)."))
    return redirect("documents:document", pk=pk)


@login_required
def file_download(request, pk: int, file_pk: int):
    """Only a file of a document the user can see (Document.visible_to); otherwise 404."""
    document = get_object_or_404(selectors.documents_for(request.user), pk=pk)
    return document_file_response(get_object_or_404(document.files, pk=file_pk))


@login_required
@require_POST
def file_remove(request, pk: int, file_pk: int):
    document = _writable(request.user, pk)
    register.document_file_remove(file=get_object_or_404(document.files, pk=file_pk), actor=request.user)
    return redirect("documents:document", pk=pk)


# --- The incoming register's forms -----------------------------------------------------------------------------


def _registering_committee(request) -> Committee:
    committee = visible_committee(request.user, request.GET.get("committee") or request.POST.get("committee") or 0)
    if not register.may_register(request.user, committee):
        raise Http404
    return committee


@login_required
def incoming_new(request):
    """Register a document received: typed in (document and line in one step), or `?document=` one already here
    (the reference shelf, another register the user sees) entered into the committee's register."""
    raw = request.GET.get("committee") or request.POST.get("committee") or ""
    if not raw.isdigit():
        committees = [
            c
            for c in Committee.objects.visible_to(request.user, Action.MEET).select_related("org_unit")[:300]
            if register.may_register(request.user, c)
        ]
        if len(committees) != 1:
            if not committees:
                raise Http404
            return render(request, "documents/committee_pick.html", {"committees": committees})
        return redirect(f"{reverse('documents:incoming_new')}?committee={committees[0].pk}")
    committee = _registering_committee(request)
    document = None
    doc_id = request.GET.get("document") or request.POST.get("document") or ""
    if doc_id:
        document = selectors.documents_for(request.user).filter(pk=int(doc_id) if doc_id.isdigit() else 0).first()
        if document is None:
            raise Http404
    form_class = EntryForm if document else IncomingForm
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if document:
                    entry = register.incoming_entry_create(
                        committee=committee, document=document, actor=request.user, **form.entry_data()
                    )
                else:
                    entry = register.incoming_document_register(
                        committee=committee, actor=request.user, **form.document_data(), **form.entry_data()
                    )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request, _("Đã vào sổ văn bản đến, số đến %(n)s/%(y)s.") % {"n": entry.serial, "y": entry.year}
                )
                return redirect("documents:document", pk=entry.document_id)
    else:
        form = form_class(initial={"received_on": timezone.localdate()})
    context = {"committee": committee, "document": document, "form": form}
    return render(request, "documents/incoming_form.html", context)


@login_required
def entry_edit(request, pk: int):
    entry = get_object_or_404(
        selectors.entries_for(request.user, Action.MEET).select_related("committee__org_unit", "document"), pk=pk
    )
    if not register.may_register(request.user, entry.committee):
        raise Http404
    fields = ("received_on", "recipient", "passed_on", "notes", "deadline", "progress")
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                register.incoming_entry_update(entry=entry, actor=request.user, **form.entry_data())
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect("documents:document", pk=entry.document_id)
    else:
        form = EntryForm(initial={f: getattr(entry, f) for f in fields})
    return render(request, "documents/entry_form.html", {"entry": entry, "form": form})


@login_required
def entry_handle(request, pk: int):
    """A handling instruction on an incoming document: a task (lead, supporting, deadline) of the committee."""
    from giaoban.work.selectors import committee_agencies
    from giaoban.work.services.tasks import may_assign

    entry = get_object_or_404(
        selectors.entries_for(request.user).select_related("committee__org_unit", "document"), pk=pk
    )
    if not may_assign(request.user, entry.committee):
        raise Http404
    unit = entry.committee.org_unit
    kwargs = {
        "agencies": committee_agencies(entry.committee),
        "units": OrgUnit.objects.filter(parent=unit, valid_to__isnull=True, committees__isnull=False)
        .distinct()
        .order_by("name"),
    }
    if request.method == "POST":
        form = HandleForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = register.incoming_handle(
                    entry=entry,
                    title=data["title"],
                    description=data["description"],
                    agency=data["agency"],
                    unit=data["unit"],
                    supporting=data["supporting"],
                    due_on=data["due_on"],
                    actor=request.user,
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Đã giao nhiệm vụ xử lý văn bản."))
                return redirect("work:task", pk=task.pk)
    else:
        form = HandleForm(initial={"title": entry.document.subject[:500], "due_on": entry.deadline}, **kwargs)
    return render(request, "documents/handle_form.html", {"entry": entry, "form": form})
