"""Views exercised by the Django tests (errors, auth, pagination, idempotency)."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import generics, serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dbay_common.django.idempotency import idempotency_exempt
from dbay_common.drf import roles_required
from dbay_common.errors import Conflict
from tests.testapp.models import Item


class ExecutionCounter:
    """Counts view executions across threads (the idempotency tests assert on it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def increment(self) -> int:
        with self._lock:
            self.count += 1
            return self.count

    def reset(self) -> None:
        with self._lock:
            self.count = 0


EXECUTIONS = ExecutionCounter()


class EchoView(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        amount_koinu = serializers.IntegerField(min_value=1)
        note = serializers.CharField(max_length=10, required=False)

    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class WhoAmIView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"id": request.user.id, "roles": list(request.user.roles)})


class AdminView(APIView):
    permission_classes = [roles_required("admin")]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class BoomView(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("database password is hunter2")


class ConflictView(APIView):
    def post(self, request: Request) -> Response:
        raise Conflict("The auction is closed.", code="auction_closed")


class ThrottledView(APIView):
    def get(self, request: Request) -> Response:
        raise Throttled(wait=12.2)


class MissingView(APIView):
    def get(self, request: Request) -> Response:
        raise Http404("no such thing")


class ItemSerializer(serializers.ModelSerializer[Item]):
    class Meta:
        model = Item
        fields = ["id", "name", "rank"]


class ItemListView(generics.ListAPIView[Item]):
    serializer_class = ItemSerializer
    cursor_ordering = ("-rank", "-id")
    cursor_field = "id"

    def get_queryset(self) -> Any:
        return Item.objects.all()


class IdempotentCreateView(APIView):
    """Counts executions; sleeps ``sleep_s`` to overlap with duplicates; crashes while the execution
    number is at most ``fail_first``; answers with ``status``."""

    def post(self, request: Request) -> Response:
        execution = EXECUTIONS.increment()
        time.sleep(float(request.data.get("sleep_s", 0)))
        if execution <= int(request.data.get("fail_first", 0)):
            raise RuntimeError("simulated crash")
        status = int(request.data.get("status", 201))
        return Response(
            {"execution": execution, "user": str(request.user) if request.user.is_authenticated else None},
            status=status,
            headers={"Location": f"/things/{execution}"},
        )


@idempotency_exempt
class ExemptCreateView(IdempotentCreateView):
    pass


def plain_boom(request: HttpRequest) -> JsonResponse:
    raise RuntimeError("secret internals")


class ItemCountView(APIView):
    """Reads the database: the view a PostgreSQL outage reaches."""

    def get(self, request: Request) -> Response:
        return Response({"count": Item.objects.count()})


def plain_item_count(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": Item.objects.count()})
