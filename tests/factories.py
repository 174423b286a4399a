"""factory-boy factories for the tracker's models.

Translated fields are set per language (title_ja, title_en, …), as modeltranslation stores
them. There is no StatusUpdate factory on purpose: a status changes only through
`commitments.services.item_set_status`, and tests use that.
"""

import datetime
import string

import factory

from commitments.choices import Kind
from commitments.models import ActionItem, Country, Document, Paragraph, Section, Theme


def two_letter_code(n: int) -> str:
    """AA, AB, …, AZ, BA, …, ZZ, then round again."""
    letters = string.ascii_uppercase
    return letters[(n // 26) % 26] + letters[n % 26]


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        # The real countries fixture may already hold a code the sequence reaches.
        django_get_or_create = ("code",)

    code = factory.Sequence(two_letter_code)
    name_ja = factory.LazyAttribute(lambda o: f"国{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Country {o.code}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_ja = factory.Sequence(lambda n: f"テーマ{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    order = factory.Sequence(lambda n: n)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    slug = factory.Sequence(lambda n: f"statement-{n}")
    title_ja = "共同声明"
    title_en = "Joint statement"
    meeting_ja = factory.Sequence(lambda n: f"第{n}回外相会合")
    meeting_en = factory.Sequence(lambda n: f"Foreign Ministers' Meeting {n}")
    signed_on = datetime.date(2014, 7, 16)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    document = factory.SubFactory(DocumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_ja = factory.Sequence(lambda n: f"分野{n}")
    title_en = factory.Sequence(lambda n: f"Field {n}")


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paragraph

    section = factory.SubFactory(SectionFactory)
    document = factory.LazyAttribute(lambda o: o.section.document)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"各国外務大臣は，協力{n}を進める意図を確認した。")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem
        skip_postgeneration_save = True

    paragraph = factory.SubFactory(ParagraphFactory)
    document = factory.LazyAttribute(lambda o: o.paragraph.document)
    ref = factory.LazyAttributeSequence(lambda o, n: f"{o.paragraph.number}.{n + 1}")
    title_ja = factory.Sequence(lambda n: f"行動{n}")
    title_en = factory.Sequence(lambda n: f"Action {n}")
    kind = Kind.COMMITMENT
    theme = factory.SubFactory(ThemeFactory)

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        """ActionItemFactory(owners=[kz, tm]) sets exactly those owner countries."""
        if create and extracted:
            self.owners.set(extracted)
