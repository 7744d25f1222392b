"""What ``python -m quizapp.bench web`` builds: its sizes (``BuildConfig``) and the accounts the
measurements log in as (all with one password, ``PASSWORD``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = [
    "CLASS_TITLES",
    "DOMAIN",
    "INSTRUCTOR_EMAIL",
    "LARGE_EMAIL",
    "PASSWORD",
    "SMALL_EMAIL",
    "BuildConfig",
]

PASSWORD = "bench-password-1"
DOMAIN = "bench.example"
LARGE_EMAIL = f"large@{DOMAIN}"
SMALL_EMAIL = f"small@{DOMAIN}"
INSTRUCTOR_EMAIL = f"instructor@{DOMAIN}"
CLASS_TITLES = ("Bench class", "Bench class (small)", "Bench class (huge)")


@dataclass(frozen=True)
class BuildConfig:
    """What to build; the defaults are the full benchmark (``scaled`` shrinks it).

    Attributes:
        learners: learner accounts, the two heavy learners included.
        reviews: answers in total.
        heavy_reviews: answers of ``LARGE_EMAIL`` and of ``SMALL_EMAIL``.
        class_sizes: members of the measured class, the small class and the huge class.
        generated_sets: generated question sets besides the bundled bank.
        questions_per_set: questions of each generated set.
        topics_per_set: topics of each generated set.
        processes: processes simulating histories (1: in this process).
        seed: seed of everything random.
    """

    learners: int = 10_000
    reviews: int = 2_000_000
    heavy_reviews: tuple[int, int] = (50_000, 5_000)
    class_sizes: tuple[int, int, int] = (500, 50, 5_000)
    generated_sets: int = 5
    questions_per_set: int = 1_000
    topics_per_set: int = 10
    processes: int = 2
    seed: int = 1

    def scaled(self, factor: float) -> BuildConfig:
        """The same build with every count multiplied by ``factor`` (and kept usable)."""

        def times(n: int, least: int) -> int:
            return max(least, round(n * factor))

        learners = times(self.learners, 10)
        sizes = tuple(times(n, 2) for n in self.class_sizes)
        return replace(
            self,
            learners=learners,
            reviews=times(self.reviews, 200),
            heavy_reviews=(times(self.heavy_reviews[0], 50), times(self.heavy_reviews[1], 10)),
            class_sizes=(sizes[0], sizes[1], sizes[2]),
            questions_per_set=times(self.questions_per_set, 4 * self.topics_per_set),
        )

    def __post_init__(self) -> None:
        ordinary = self.learners - 2
        if ordinary < 1 or sum(self.class_sizes) > ordinary:
            raise ValueError("the classes need more learners than there are")
        if self.reviews < sum(self.heavy_reviews) + ordinary:
            raise ValueError("too few reviews for this many learners")
        if self.questions_per_set < 4 * self.topics_per_set:
            raise ValueError("a generated set needs at least 4 questions per topic")
