from __future__ import annotations

from django.contrib.auth import get_user_model, logout, user_logged_in
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.authentication import token_for
from clinic.api.permissions import IsClinicManager
from clinic.api.throttling import FailOpenScopedRateThrottle
from clinic.auth_views import lockout_response
from clinic.roles import Role
from staff import services
from staff.api.serializers import MeSerializer, StaffQuerySerializer, StaffSerializer
from staff.selectors import staff_list


class TokenRequestSerializer(AuthTokenSerializer):
    # Checked before authenticate(): django-axes records the username it is
    # given in a 255-character column, and Django's own limit is 150.
    username = serializers.CharField(
        label="Username", max_length=get_user_model().username.field.max_length, write_only=True
    )


_DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}.

    Throttled per client address (scope "token") and guarded by django-axes:
    after AXES_FAILURE_LIMIT failures for a username from an address, even the
    right password is refused (429) until the cool-off has passed. Inactive
    staff get no token.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = APIView.parser_classes  # the project's JSON parser, not DRF's
    serializer_class = TokenRequestSerializer
    throttle_classes = [FailOpenScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password, or fields missing."),
            429: _DETAIL,
        }
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # AxesStandaloneBackend marks the DRF request it was handed when locked.
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request._request)
        if not valid:
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token = token_for(user)  # a fresh one when the old one expired
        # A token login is a login: axes resets the failure count, last_login
        # is set and the audit trail records it.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key})


class LogoutView(APIView):
    """POST: revoke the caller's API token (and end the browser session, if any)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class StaffListView(generics.ListAPIView):
    serializer_class = StaffSerializer

    @extend_schema(parameters=[OpenApiParameter("role", str, enum=Role.values, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = StaffQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return staff_list(role=query.validated_data.get("role"))


class StaffDeactivateView(APIView):
    """POST (managers): deactivate a staff member; their token and sessions end at once."""

    permission_classes = [IsClinicManager]

    @extend_schema(
        request=None,
        responses={
            200: StaffSerializer,
            400: OpenApiResponse(description="A manager cannot deactivate their own account."),
        },
    )
    def post(self, request, pk: int):
        user = get_object_or_404(get_user_model(), pk=pk)
        services.staff_deactivate(actor=request.user, user=user)
        return Response(StaffSerializer(user).data)
