"""R27-R29 link endpoints: issue a home-programme or intake link, revoke a link."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach import selectors, services
from outreach.api.serializers import IssuedLinkSerializer, LinkRequestSerializer, LinkSerializer
from outreach.models import LinkPurpose
from patients.selectors import patients_visible_to


class _IssueLinkView(APIView):
    purpose: str = ""

    @extend_schema(request=LinkRequestSerializer, responses={201: IssuedLinkSerializer})
    def post(self, request, pk: int):
        patient = get_object_or_404(patients_visible_to(request.user), pk=pk)
        serializer = LinkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.link_create(
            user=request.user,
            patient=patient,
            purpose=self.purpose,
            send=serializer.validated_data["send"],
        )
        data = {"id": issued.link.pk, "url": issued.url, "expires_at": issued.link.expires_at}
        return Response(IssuedLinkSerializer(data).data, status=status.HTTP_201_CREATED)


class HomeProgrammeLinkView(_IssueLinkView):
    """R27: a link to the patient's active plan's home programme (201 {id, url, expires_at})."""

    purpose = LinkPurpose.HOME_PROGRAMME


class IntakeLinkView(_IssueLinkView):
    """R28: a link to the intake form, valid 14 days (201 {id, url, expires_at})."""

    purpose = LinkPurpose.INTAKE


class LinkRevokeView(APIView):
    """R29: revoke a link of a visible patient; it opens nothing afterwards."""

    @extend_schema(request=None, responses=LinkSerializer)
    def post(self, request, pk: int):
        link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
        return Response(LinkSerializer(services.link_revoke(user=request.user, link=link)).data)
