"""factory_boy factories for every model the tests build."""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.roles import Role
from locations.models import MAIN_LOCATION_NAME, Location, StaffScope
from patients.models import Consultation, Patient
from patients.services import latest_consultation_store
from plans.models import Exercise, ExercisePrescription, MassageComponent, TreatmentPlan
from reports import aggregates as report_aggregates
from sessions.models import TherapySession

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    role = factory.PostGeneration(lambda user, create, extracted, **kw: _join(user, extracted))


def main_location() -> Location:
    """The migration's "Main clinic" (get_or_create: transactional tests flush it)."""
    return Location.objects.get_or_create(
        name=MAIN_LOCATION_NAME, defaults={"time_zone": settings.TIME_ZONE}
    )[0]


def _join(user, role: str | None, default: str | None = None) -> None:
    user.save()
    if role or default:
        # get_or_create: transactional (browser) tests flush the migration-made groups.
        user.groups.add(Group.objects.get_or_create(name=role or default)[0])
        # R16/R17: staff work at the main clinic; managers manage all (as staff_create).
        scope, _ = StaffScope.objects.get_or_create(
            user=user, defaults={"manages_all_locations": (role or default) == Role.CLINIC_MANAGER}
        )
        scope.locations.add(main_location())


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Site {n}")
    time_zone = "America/Chicago"
    address = factory.LazyAttribute(lambda loc: f"1 Main Street, {loc.name}")


def _role(default: str):
    return factory.PostGeneration(
        lambda user, create, extracted, **kw: _join(user, extracted, default)
    )


class ManagerFactory(UserFactory):
    role = _role(Role.CLINIC_MANAGER)


class MassageTherapistFactory(UserFactory):
    role = _role(Role.MASSAGE_THERAPIST)


class PhysicalTherapistFactory(UserFactory):
    role = _role(Role.PHYSICAL_THERAPIST)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"MRN{n:07d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1960, 5, 17)
    neuropathy_cause = "diabetes"
    cause_detail = ""
    severity = "moderate"
    symptoms = factory.LazyFunction(lambda: ["tingling", "pain"])
    underlying_conditions = ""
    massage_therapist = factory.SubFactory(MassageTherapistFactory)
    physical_therapist = factory.SubFactory(PhysicalTherapistFactory)
    home_location = factory.LazyFunction(main_location)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    patient = factory.SubFactory(PatientFactory)
    consulted_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    clinician_name = "Dr. Ada Reed"
    outcome = "cleared"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As patients.services.consultation_create does: the patient stores its latest.
        consultation = super()._create(model_class, *args, **kwargs)
        latest_consultation_store(patient=consultation.patient)
        return consultation


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test exercise {n}")
    category = "mobility"
    description = "Move gently through the range."


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentPlan

    patient = factory.SubFactory(PatientFactory)
    title = "Synergy plan"
    goals = "Less pain, better balance."
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    visits_per_week = 2


class MassageComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MassageComponent

    plan = factory.SubFactory(TreatmentPlanFactory)
    technique = "swedish"
    body_region = "Lower legs and feet"
    regions = factory.LazyFunction(lambda: ["lower_leg_left", "lower_leg_right"])
    duration_minutes = 30
    pressure = "light"


class ExercisePrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExercisePrescription

    plan = factory.SubFactory(TreatmentPlanFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    sets = 2
    reps = 10
    hold_seconds = 0
    frequency_per_week = 3


class ActivePlanFactory(TreatmentPlanFactory):
    """An active plan with one massage component and one exercise (R6), built directly."""

    class Meta:
        # The hook adds related rows; the plan itself needs no second save.
        skip_postgeneration_save = True

    status = "active"

    @factory.post_generation
    def parts(self, create, extracted, **kwargs):
        if create and extracted is not False:
            MassageComponentFactory(plan=self)
            ExercisePrescriptionFactory(plan=self)


def _an_hour_ago_today() -> dt.datetime:
    """An hour ago, but never before today's local midnight: a session that has
    started *today*, also when a test runs between midnight and one o'clock."""
    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    return max(now - dt.timedelta(hours=1), midnight)


class TherapySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TherapySession

    plan = factory.SubFactory(ActivePlanFactory)
    patient = factory.SelfAttribute("plan.patient")
    location = factory.SelfAttribute("patient.home_location")
    kind = "massage"
    scheduled_start = factory.LazyFunction(_an_hour_ago_today)
    duration_minutes = 60
    massage_therapist = factory.SelfAttribute("patient.massage_therapist")
    physical_therapist = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the session services do: the report's aggregates count the new session.
        session = super()._create(model_class, *args, **kwargs)
        report_aggregates.recount(before=None, after=report_aggregates.counted(session))
        return session
