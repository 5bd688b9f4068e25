from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from clinic.api.serializers import StaffQuerySerializer, StaffSerializer
from clinic.roles import Role
from clinic.selectors import staff_list


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}; throttled against guessing."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class MeView(APIView):
    @extend_schema(responses=StaffSerializer)
    def get(self, request):
        return Response(StaffSerializer(request.user).data)


class StaffListView(generics.ListAPIView):
    serializer_class = StaffSerializer

    @extend_schema(parameters=[OpenApiParameter("role", str, enum=Role.values, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = StaffQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return staff_list(role=query.validated_data.get("role"))
