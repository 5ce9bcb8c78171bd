"""The chat pages: the inbox, a conversation (read and send without JavaScript), opening a
conversation from a listing, booking, job or quote, blocking and reporting, and the photos.
Thin: the rules are in chat.rules, chat.services and chat.selectors."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import ProviderProfile, User
from listings.photo_uploads import photo_response
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error, messages_add_error
from marketplace.params import MAX_ID, parse_id, parse_int, redirect_next

from . import rules, selectors, services
from .forms import MessageForm, ReportForm
from .masking import NOTE
from .models import Conversation, Message
from .text import search_clean

INBOX_PER_PAGE = 20
MAX_PAGE = MAX_ID // INBOX_PER_PAGE
# How many messages a conversation page shows at once (older ones are a link away).
PAGE_MESSAGES = 100


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page_number = parse_int(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1
    query = request.GET.get("q", "")
    start = (page_number - 1) * INBOX_PER_PAGE
    rows = selectors.conversation_inbox(
        user=request.user, query=query, offset=start, limit=INBOX_PER_PAGE + 1
    )
    shown = rows[:INBOX_PER_PAGE]
    return render(
        request,
        "chat/inbox.html",
        {
            "rows": shown,
            "query": search_clean(query),
            "page_number": page_number,
            "has_previous": page_number > 1,
            "has_next": len(rows) > INBOX_PER_PAGE,
            "masking_note": NOTE if any(row.hidden for row in shown) else "",
        },
    )


def _participant_conversation(request: HttpRequest, pk: int) -> Conversation:
    conversation = selectors.conversation_for_participant(user=request.user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def _send(
    request: HttpRequest, conversation: Conversation, form: MessageForm
) -> DomainError | None:
    about = selectors.about_for_conversation(
        conversation=conversation, token=form.cleaned_data["about"]
    )
    try:
        services.message_send(
            conversation=conversation,
            sender=request.user,
            body=form.cleaned_data["body"],
            photos=form.cleaned_data["photos"],
            about=about,
        )
    except DomainError as error:
        return error
    return None


def _conversation_context(
    request: HttpRequest, conversation: Conversation, *, before: int | None
) -> dict:
    user = request.user
    role = rules.role_of(conversation=conversation, user=user)
    last = conversation.last_seq if before is None else min(before - 1, conversation.last_seq)
    first = max(0, last - PAGE_MESSAGES)
    views = selectors.messages_after(
        conversation=conversation, viewer=user, after_seq=first, limit=last - first
    )
    payloads = [view.payload() for view in views]
    other_read = selectors.read_state(conversation=conversation, viewer=user)["other_read_seq"]
    mine = [payload["seq"] for payload in payloads if payload["mine"]]
    other = conversation.customer if role == rules.Role.PROVIDER else conversation.provider.user
    blocks = selectors.blocks_between(user=user, other=other)
    return {
        "conversation": conversation,
        "role": role,
        "other": other,
        "other_name": selectors.other_name(conversation=conversation, role=role),
        "payloads": payloads,
        "seen_seq": mine[-1] if mine and mine[-1] <= other_read else 0,
        "other_read_seq": other_read,
        "last_shown_seq": payloads[-1]["seq"] if payloads else first,
        "earlier_before": first + 1 if first > 0 else None,
        "later": before is not None and last < conversation.last_seq,
        "masking_note": NOTE if any(p["hidden"] for p in payloads) else "",
        "i_blocked": blocks.mine,
        "blocked": blocks.mine or blocks.theirs,
        "send_refusal": rules.send_refusal(
            conversation=conversation, sender=user, blocked=blocks.mine or blocks.theirs
        ),
        "socket_path": f"/ws/chat/{conversation.pk}/",
    }


@login_required
@require_http_methods(["GET", "POST"])
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _participant_conversation(request, pk)
    token = request.POST.get("about") if request.method == "POST" else request.GET.get("about")
    about = selectors.about_for_conversation(conversation=conversation, token=token)
    form = MessageForm(initial={"about": selectors.about_token(about) if about else ""})
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 400
        elif (error := _send(request, conversation, form)) is None:
            return redirect(f"{conversation.get_absolute_url()}#chat-form")
        else:
            form_add_error(form, error)
            status = error_status(error)
    before = parse_int(request.GET.get("before"), minimum=1, maximum=2**31 - 1)
    if before is None and request.method == "GET":
        # Opening the page reads everything in it.
        services.conversation_mark_read(
            conversation=conversation, reader=request.user, up_to_seq=conversation.last_seq
        )
    context = _conversation_context(request, conversation, before=before)
    context |= {
        "form": form,
        "about_chip": selectors.about_chip(about, context["role"]) if about else None,
    }
    return render(request, "chat/conversation.html", context, status=status)


def _open_target(request: HttpRequest) -> tuple[ProviderProfile | None, User | None]:
    provider_pk = parse_id(request.POST.get("provider"))
    customer_pk = parse_id(request.POST.get("customer"))
    if (provider_pk is None) == (customer_pk is None):
        raise Http404("Say who to message.")
    if provider_pk is not None:
        return get_object_or_404(ProviderProfile, pk=provider_pk), None
    return None, get_object_or_404(User, pk=customer_pk, is_active=True)


@login_required
@require_POST
def conversation_open(request: HttpRequest) -> HttpResponse:
    """A "Message" button: open (or find) the conversation and go to it, carrying what it is
    about for the next message's context chip."""
    provider, customer = _open_target(request)
    token = request.POST.get("about")
    about = selectors.about_lookup(token)
    if token and about is None:
        raise Http404("No such thing to message about.")
    try:
        conversation = services.conversation_open(
            user=request.user, provider=provider, customer=customer, about=about
        )
    except DomainError as error:
        messages_add_error(request, error)
        return redirect_next(request, request.POST.get("next"), fallback=reverse("chat_inbox"))
    url = conversation.get_absolute_url()
    if about is not None:
        url += "?" + urlencode({"about": selectors.about_token(about)})
    return redirect(f"{url}#chat-form")


@login_required
@require_POST
def block(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _participant_conversation(request, pk)
    other = selectors.other_user(conversation=conversation, user=request.user)
    try:
        services.user_block(blocker=request.user, blocked=other)
    except DomainError as error:
        messages_add_error(request, error)
    else:
        messages.success(request, "Blocked. Neither of you can send messages until you unblock.")
    return redirect(conversation)


@login_required
@require_POST
def unblock(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _participant_conversation(request, pk)
    other = selectors.other_user(conversation=conversation, user=request.user)
    if services.user_unblock(blocker=request.user, blocked=other):
        messages.success(request, "Unblocked.")
    return redirect(conversation)


def _reportable(request: HttpRequest, pk: int, message_pk: int) -> tuple[Conversation, Message]:
    conversation = _participant_conversation(request, pk)
    message = selectors.message_in(conversation=conversation, pk=message_pk)
    if message is None:
        raise Http404("No such message.")
    return conversation, message


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation, message = _reportable(request, pk, message_pk)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_report(
                    message=message, reporter=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form_add_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, "Thank you. A moderator will look at this message.")
                return redirect(conversation)
        else:
            status = 400
    view = selectors.message_views(
        conversation=conversation, viewer=request.user, messages=[message]
    )
    return render(
        request,
        "chat/report.html",
        {"conversation": conversation, "m": view[0].payload(), "form": form},
        status=status,
    )


def _photo(request: HttpRequest, key: UUID, *, thumbnail: bool) -> FileResponse:
    photo = selectors.photo_for_participant(user=request.user, key=key)
    # Only the two participants may see it: no shared cache may keep a copy.
    return photo_response(photo, thumbnail=thumbnail, cache_control="private, max-age=86400")


@login_required
@require_GET
def photo(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=False)


@login_required
@require_GET
def photo_thumb(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=True)


def media_refused(request: HttpRequest, name: str) -> HttpResponse:
    raise Http404("No such file.")
