from django.contrib import admin

from .models import Evaluation, Grade, Indicator, Subject


class GradeInline(admin.TabularInline):
    model = Grade
    extra = 0


class SubjectInline(admin.TabularInline):
    model = Subject
    extra = 0


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [GradeInline, SubjectInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "evaluation", "parent", "order"]
    list_filter = ["evaluation"]
    search_fields = ["code", "name"]
