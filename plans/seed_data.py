"""The exercise library and plan templates a fresh install ships with.

Plain data plus one loader that takes the model classes as arguments, so the
data migration (historical models) and tests (real models) share it. Loading
is idempotent: rows are matched by name and never overwritten, so a clinic's
own edits survive a re-run.

Massage defaults are light or moderate pressure with no deep tissue: numb or
hypersensitive skin cannot report over-pressure (SPEC section 5), so every
template passes R7 for typical patients.
"""

from __future__ import annotations

from assessments.regions import regions_from_text

# name, category, instructions (for the patient), precautions
EXERCISES: list[tuple[str, str, str, str]] = [
    # --- neural mobilization (nerve glides) ---
    (
        "Sciatic nerve glide (seated slider)",
        "neural_mobilization",
        "Sit tall on a firm chair. Straighten one knee and at the same time tip your head "
        "back to look up. Then bend the knee and bring your chin down. Move smoothly, like "
        "sliding the nerve back and forth, without holding the end position.",
        "Expect a mild stretch only. Stop if tingling or pain lasts more than a minute after "
        "you finish, or if symptoms spread further down the leg.",
    ),
    (
        "Median nerve glide",
        "neural_mobilization",
        "Stand with your arm out to the side at shoulder height, palm up. Bend the wrist "
        "back gently while tilting your head away from the arm, then return the wrist and "
        "tilt your head towards the arm. Keep the movement slow and rhythmic.",
        "A gentle pulling feeling is fine; sharp pain, burning or numbness that stays is "
        "not. Do not hold the stretched position.",
    ),
    (
        "Ulnar nerve glide",
        "neural_mobilization",
        "Hold your hand up with the palm facing forward and make an 'OK' sign. Turn the hand "
        "and bring the circle of your fingers towards your eye like a mask, elbow pointing "
        "out. Return to the start. Move only as far as is comfortable.",
        "Stop if you feel tingling in the little finger that does not settle within a minute.",
    ),
    (
        "Radial nerve glide",
        "neural_mobilization",
        "Let the arm hang by your side. Turn the palm backwards, bend the wrist and fingers, "
        "then push the shoulder gently down and tip your head away. Release and repeat.",
        "Gentle only. Stop with any lasting tingling over the back of the hand.",
    ),
    # --- stretch ---
    (
        "Piriformis stretch (lying)",
        "stretch",
        "Lie on your back with both knees bent. Cross one ankle over the opposite knee. "
        "Hold the thigh of the lower leg and pull it gently towards your chest until you feel "
        "a stretch deep in the buttock of the crossed leg. Breathe slowly.",
        "Stretch, do not strain. Stop if pain shoots down the leg. After hip replacement, "
        "ask your therapist before doing this stretch.",
    ),
    (
        "Scalene stretch",
        "stretch",
        "Sit tall and hold the edge of the chair with one hand to keep the shoulder down. "
        "Tilt your head away from that side and turn your face slightly up until you feel a "
        "stretch at the front side of the neck.",
        "Move slowly. Stop if you feel dizzy, or if tingling in the arm or hand gets worse.",
    ),
    (
        "Calf stretch at the wall",
        "stretch",
        "Stand facing a wall with your hands on it. Step one foot back, keep that heel on "
        "the floor and the knee straight, and lean forward until you feel a stretch in the "
        "calf.",
        "If your feet are numb, check the position of the back foot by looking, and wear "
        "shoes with a good grip.",
    ),
    (
        "Hamstring stretch (seated)",
        "stretch",
        "Sit on the front of a chair with one leg straight and the heel on the floor. Keep "
        "your back straight and lean forward from the hips until you feel a stretch behind "
        "the thigh.",
        "Do not bounce. Stop if tingling travels down the leg.",
    ),
    (
        "Pectoral doorway stretch",
        "stretch",
        "Stand in a doorway with your forearms on the frame, elbows a little below shoulder "
        "height. Step one foot through until you feel a stretch across the chest.",
        "Keep it gentle. Stop if the arm or hand begins to tingle.",
    ),
    # --- strength ---
    (
        "Heel raises (supported)",
        "strength",
        "Stand behind a sturdy chair or at the kitchen counter and hold on. Rise slowly onto "
        "your toes, pause, and lower your heels slowly to the floor.",
        "Always hold on to something stable. If your feet are numb, check your skin for "
        "pressure marks or blisters afterwards.",
    ),
    (
        "Sit-to-stand",
        "strength",
        "Sit on the front half of a firm chair with your feet flat and hip-width apart. Lean "
        "forward and stand up without using your hands if you can, then sit down slowly and "
        "with control.",
        "Use a chair that does not slide (against a wall). Use your hands if you need to; "
        "stop if you feel dizzy.",
    ),
    (
        "Toe curls with towel",
        "strength",
        "Sit with a small towel flat on the floor under your foot. Scrunch the towel towards "
        "you with your toes, then push it back out.",
        "Check your feet for redness afterwards if you have reduced feeling in them.",
    ),
    (
        "Mini squats (supported)",
        "strength",
        "Hold on to a counter with both hands. Bend the knees a little as if to sit, keeping "
        "the heels down and the knees over the toes, then stand tall again.",
        "Only go as low as is comfortable. Keep holding on throughout.",
    ),
    (
        "Grip strengthening (soft ball)",
        "strength",
        "Hold a soft ball or rolled-up sock in your hand. Squeeze gently for a few seconds, "
        "then relax fully.",
        "Use a soft object. Stop if the hand cramps or the tingling gets stronger.",
    ),
    (
        "Scapular retraction (shoulder blade squeeze)",
        "strength",
        "Sit or stand tall with arms relaxed. Draw your shoulder blades gently back and down, "
        "hold, then release.",
        "Do not shrug the shoulders up towards the ears.",
    ),
    # --- mobility ---
    (
        "Ankle pumps",
        "mobility",
        "Sit or lie with your legs straight. Point your toes away from you, then pull them "
        "back towards you. Keep the movement smooth. This helps circulation in the legs.",
        "Safe for most people. Stop if the calf becomes painful, hot or swollen and tell "
        "your therapist.",
    ),
    (
        "Ankle alphabet",
        "mobility",
        "Sit with one foot lifted off the floor. Draw the letters of the alphabet in the air "
        "with your big toe, moving only at the ankle.",
        "Support the thigh with your hands if the leg tires.",
    ),
    (
        "Shoulder rolls",
        "mobility",
        "Sit tall. Roll both shoulders up, back and down in slow circles, then reverse the "
        "direction.",
        "Keep the movement small and pain-free.",
    ),
    (
        "Wrist and finger tendon glides",
        "mobility",
        "Hold your hand up, fingers straight. Move slowly through a hook fist, a full fist, "
        "a flat fist and back to straight fingers.",
        "Move gently; stop if the fingers go numb during the exercise.",
    ),
    # --- balance ---
    (
        "Tandem stance",
        "balance",
        "Stand at a counter with a hand on it. Place one foot directly in front of the other, "
        "heel touching toe, and hold the position. As you improve, lighten your grip.",
        "Fall risk: always practise next to a counter or with someone nearby, never in socks "
        "on a smooth floor.",
    ),
    (
        "Single-leg stance",
        "balance",
        "Stand at a counter and hold on lightly. Lift one foot a little off the floor and "
        "balance on the other leg. Change legs.",
        "Fall risk: keep one hand ready on the counter. Stop if you feel unsteady or dizzy.",
    ),
    (
        "Heel-to-toe walk (supported)",
        "balance",
        "Walk slowly along a counter or hallway wall, placing the heel of one foot just in "
        "front of the toes of the other, with one hand sliding along the support.",
        "Clear the floor of rugs and clutter first; wear shoes.",
    ),
    (
        "Weight shifts",
        "balance",
        "Stand with feet hip-width apart, holding a counter. Shift your weight slowly onto "
        "one foot, then the other, and then forwards and backwards.",
        "Keep both feet on the floor. Stop if you feel unsteady.",
    ),
    # --- modality (applied by the therapist in clinic) ---
    (
        "Electrical stimulation (TENS)",
        "modality",
        "Applied by your therapist in the clinic: small pads on the skin send a gentle "
        "tingling current to ease nerve pain. 'Sets' means sessions; 'hold' is the time in "
        "seconds if it is used for a set duration. Tell the therapist if it feels "
        "uncomfortable.",
        "Not over areas without sensation, broken skin, the front of the neck, or with a "
        "pacemaker or other implanted device, in pregnancy over the abdomen, or over a "
        "known cancer. Check the skin before and after.",
    ),
    (
        "Therapeutic ultrasound",
        "modality",
        "Applied by your therapist in the clinic: a small head moved over the skin with gel "
        "gives deep, gentle warmth to help soft tissue heal. You should feel little or "
        "nothing.",
        "Not over areas without sensation, open wounds, a known cancer, the eyes, or metal "
        "implants close to the surface. Tell the therapist at once if it feels hot.",
    ),
]

# name, cause, variant, title, goals, visits/week,
# massage components [(technique, region, minutes, pressure)],
# exercises [(exercise name, sets, reps, hold seconds, frequency/week)]
TEMPLATES: list[dict] = [
    {
        "name": "Diabetic peripheral neuropathy",
        "cause": "diabetes",
        "variant": "",
        "title": "Synergy plan: diabetic neuropathy of the feet and legs",
        "goals": "Reduce burning and tingling in the feet, improve circulation and ankle "
        "mobility, improve balance and reduce fall risk.",
        "visits": 2,
        "massage": [
            ("swedish", "Lower legs and feet", 25, "light"),
            ("lymphatic_drainage", "Lower legs", 10, "light"),
        ],
        "exercises": [
            ("Ankle pumps", 2, 15, 0, 14),
            ("Heel raises (supported)", 2, 10, 0, 5),
            ("Tandem stance", 3, 1, 30, 7),
            ("Sit-to-stand", 2, 8, 0, 5),
        ],
    },
    {
        "name": "Neuropathy after injury",
        "cause": "injury",
        "variant": "",
        "title": "Synergy plan: nerve recovery after injury",
        "goals": "Ease pain around the injured area, restore range of motion and nerve "
        "mobility, rebuild strength in the affected limb.",
        "visits": 2,
        "massage": [
            ("swedish", "Muscles around the injured area", 20, "light"),
            ("myofascial_release", "Proximal soft tissue of the affected limb", 15, "moderate"),
        ],
        "exercises": [
            ("Median nerve glide", 2, 10, 0, 7),
            ("Wrist and finger tendon glides", 2, 10, 0, 7),
            ("Grip strengthening (soft ball)", 2, 10, 5, 5),
            ("Therapeutic ultrasound", 1, 1, 300, 2),
        ],
    },
    {
        "name": "Post-infectious neuropathy",
        "cause": "infection",
        "variant": "",
        "title": "Synergy plan: neuropathy after infection",
        "goals": "Calm nerve pain, regain strength and endurance gradually, improve balance.",
        "visits": 2,
        "massage": [
            ("swedish", "Back and affected limbs", 30, "light"),
        ],
        "exercises": [
            ("Electrical stimulation (TENS)", 1, 1, 300, 2),
            ("Sit-to-stand", 2, 6, 0, 4),
            ("Weight shifts", 2, 10, 0, 7),
            ("Ankle pumps", 2, 15, 0, 14),
        ],
    },
    {
        "name": "Toxic (chemotherapy / alcohol) neuropathy",
        "cause": "toxin",
        "variant": "",
        "title": "Synergy plan: toxic neuropathy",
        "goals": "Reduce numbness-related discomfort, protect the skin, improve hand and foot "
        "function and balance.",
        "visits": 2,
        "massage": [
            ("swedish", "Hands and forearms", 15, "light"),
            ("swedish", "Feet and lower legs", 15, "light"),
        ],
        "exercises": [
            ("Toe curls with towel", 2, 10, 0, 7),
            ("Wrist and finger tendon glides", 2, 10, 0, 7),
            ("Single-leg stance", 3, 1, 20, 7),
            ("Ankle alphabet", 1, 1, 0, 7),
        ],
    },
    {
        "name": "Nerve compression: piriformis syndrome",
        "cause": "compression",
        "variant": "piriformis syndrome",
        "title": "Synergy plan: piriformis syndrome (sciatic nerve compression)",
        "goals": "Relax the piriformis and surrounding hip muscles, free the sciatic nerve, "
        "reduce buttock and leg pain, restore comfortable sitting and walking.",
        "visits": 2,
        "massage": [
            ("myofascial_release", "Gluteal region and piriformis", 20, "moderate"),
            ("swedish", "Lower back and posterior thigh", 15, "moderate"),
        ],
        "exercises": [
            ("Piriformis stretch (lying)", 3, 1, 30, 14),
            ("Sciatic nerve glide (seated slider)", 2, 10, 0, 7),
            ("Hamstring stretch (seated)", 3, 1, 30, 7),
            ("Mini squats (supported)", 2, 10, 0, 4),
        ],
    },
    {
        "name": "Nerve compression: thoracic outlet syndrome",
        "cause": "compression",
        "variant": "thoracic outlet syndrome",
        "title": "Synergy plan: thoracic outlet syndrome",
        "goals": "Release tension in the neck, chest and shoulder muscles, improve posture, "
        "reduce arm and hand tingling.",
        "visits": 2,
        "massage": [
            ("myofascial_release", "Scalenes, upper trapezius and neck", 15, "light"),
            ("swedish", "Pectorals and shoulder girdle", 15, "moderate"),
        ],
        "exercises": [
            ("Scalene stretch", 3, 1, 30, 14),
            ("Pectoral doorway stretch", 3, 1, 30, 7),
            ("Scapular retraction (shoulder blade squeeze)", 2, 10, 5, 7),
            ("Ulnar nerve glide", 2, 10, 0, 7),
            ("Shoulder rolls", 1, 10, 0, 14),
        ],
    },
    {
        "name": "Other / idiopathic neuropathy",
        "cause": "other",
        "variant": "",
        "title": "Synergy plan: neuropathy (general)",
        "goals": "Reduce pain and tingling, keep joints mobile, maintain strength and balance.",
        "visits": 2,
        "massage": [
            ("swedish", "Affected limbs", 30, "light"),
        ],
        "exercises": [
            ("Ankle pumps", 2, 15, 0, 14),
            ("Calf stretch at the wall", 3, 1, 30, 7),
            ("Weight shifts", 2, 10, 0, 7),
            ("Heel raises (supported)", 2, 10, 0, 4),
        ],
    },
]


def load(Exercise, PlanTemplate, TemplateMassageComponent, TemplateExercise) -> None:  # noqa: N803
    """Create the library and templates that are missing (idempotent)."""
    by_name = {}
    for name, category, description, precautions in EXERCISES:
        exercise, _ = Exercise.objects.get_or_create(
            name=name,
            defaults={"category": category, "description": description, "precautions": precautions},
        )
        by_name[name] = exercise
    for spec in TEMPLATES:
        if PlanTemplate.objects.filter(name=spec["name"]).exists():
            continue
        template = PlanTemplate.objects.create(
            name=spec["name"],
            neuropathy_cause=spec["cause"],
            variant=spec["variant"],
            title=spec["title"],
            goals=spec["goals"],
            visits_per_week=spec["visits"],
        )
        for position, (technique, region, minutes, pressure) in enumerate(spec["massage"]):
            TemplateMassageComponent.objects.create(
                template=template,
                position=position,
                technique=technique,
                body_region=region,
                # Migration 0002 loads with models that predate R21's regions.
                **regions_of(TemplateMassageComponent, region),
                duration_minutes=minutes,
                pressure=pressure,
            )
        for position, (exercise_name, sets, reps, hold, freq) in enumerate(spec["exercises"]):
            exercise = by_name.get(exercise_name) or Exercise.objects.get(name=exercise_name)
            TemplateExercise.objects.create(
                template=template,
                exercise=exercise,
                position=position,
                sets=sets,
                reps=reps,
                hold_seconds=hold,
                frequency_per_week=freq,
            )


def regions_of(model, region: str) -> dict:
    names = {f.name for f in model._meta.get_fields()}
    return {"regions": regions_from_text(region)} if "regions" in names else {}


def load_current() -> None:
    """Load with the current models (tests that flush the database, demo)."""
    from plans.models import Exercise, PlanTemplate, TemplateExercise, TemplateMassageComponent

    load(Exercise, PlanTemplate, TemplateMassageComponent, TemplateExercise)
