"""Who reads a course's journal (004 app.6 §6.2, DOMAIN §1): its teacher, the school's administration, and the
class teacher of its class for every subject; not a class teacher of another class."""

from uuid import uuid4

from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import ClassTeacherAssigned
from gradebook.api.access import NOT_YOUR_JOURNAL


async def test_the_class_teacher_reads_every_subjects_journal_of_their_class_only(settings, client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    ours, theirs = person(school, "teacher", "class_teacher"), person(school, "teacher", "class_teacher")
    for klass, teacher in ((journal.class_id, ours), (uuid4(), theirs)):
        assigned = ClassTeacherAssigned(class_id=klass, class_name="5А", teacher_id=teacher.person_id, version=1)
        await publish_event(settings, assigned, school_id=school)
    students = f"/schools/{school}/courses/{journal.course_id}/students"

    async def reads() -> bool:
        return (await client.get(students, headers=as_(ours))).status_code == 200

    assert await eventually(reads)
    refused(await client.get(students, headers=as_(theirs)), 403, NOT_YOUR_JOURNAL)
    refused(await client.get(students, headers=as_(person(school, "teacher"))), 403, NOT_YOUR_JOURNAL)
