/* Электронный журнал: the teacher's class journal, the family diary and the school administrator's setup. Plain JS, no build step. */
"use strict";

(function () {
  var csrfToken = "";
  var FIVE_POINT = ["5", "4", "3", "2", "1"];
  var PASS_FAIL = [["зач", "зач"], ["незач", "незач"]];
  /** The journal's absence codes and what they mean. */
  var ABSENCE_CODES = ["Н", "Б", "У", "О"];
  var ABSENCE_MEANINGS = {
    "Н": "без уважительной причины", "Б": "по болезни", "У": "по уважительной причине", "О": "опоздание"
  };
  /** The journal shows four weeks at a time. */
  var JOURNAL_DAYS = 28;
  var WEEKDAYS = ["Воскресенье", "Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота"];
  var MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"];

  function $(selector) { return document.querySelector(selector); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function options(select, pairs) {
    pairs.forEach(function (pair) { select.appendChild(el("option", { value: pair[0], text: pair[1] })); });
    return select;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function isoDate(day) { return day.getFullYear() + "-" + pad(day.getMonth() + 1) + "-" + pad(day.getDate()); }

  function parseDate(text) {
    var parts = text.split("-");
    return new Date(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function today() { var now = new Date(); return new Date(now.getFullYear(), now.getMonth(), now.getDate()); }

  function addDays(day, days) { var d = new Date(day); d.setDate(d.getDate() + days); return d; }

  function mondayOf(day) { return addDays(day, -((day.getDay() + 6) % 7)); }

  function humanDate(day) { return day.getDate() + " " + MONTHS[day.getMonth()]; }

  function dayMonth(day) { return pad(day.getDate()) + "." + pad(day.getMonth() + 1); }

  function number(value) { return Number(value).toLocaleString("ru-RU"); }

  function decimal(value) {
    if (value === null || value === undefined) return "—";
    return value.toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  /** A call through the gateway; a problem's Russian `detail` becomes the error message. */
  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    return fetch("/api/v1" + path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 401) {
        window.location.href = "/login";
        throw new Error("Сеанс истёк, войдите снова.");
      }
      var type = response.headers.get("content-type") || "";
      var read = type.indexOf("json") >= 0 ? response.json() : Promise.resolve(null);
      return read.then(function (data) {
        if (!response.ok) {
          var error = new Error((data && (data.detail || data.title)) || "Ошибка " + response.status);
          error.status = response.status;
          error.fields = (data && data.errors) || [];
          throw error;
        }
        return data;
      });
    });
  }

  function show(node, text, kind) {
    node.textContent = text;
    node.className = "status " + (kind || "");
  }

  /* ---------- Teacher: the class journal ---------- */

  /** The chosen course's journal for the shown period, and the lesson open for entry. */
  var journal = {
    course: null, start: null, end: null,
    students: [], workTypes: [], workTypeByCode: {},
    lessons: [], absences: {}, averages: {},
    open: null, rowStatus: {}, loading: 0
  };

  function gradebook(path) { return "/gradebook/schools/" + journal.course.school_id + path; }

  function attendance(path) { return "/attendance/schools/" + journal.course.school_id + path; }

  function studentName(student) { return student.name || "(данные ещё загружаются)"; }

  function workTypeTitle(code) { var kind = journal.workTypeByCode[code]; return kind ? kind.title : code; }

  function markTitle(mark) { return workTypeTitle(mark.work_type) + ", вес " + number(mark.weight); }

  function marksOf(lesson, studentId) {
    return (lesson.marks || []).filter(function (m) { return m.student_id === studentId; });
  }

  function absenceOf(lesson, studentId) {
    return (journal.absences[lesson.id] || []).filter(function (a) { return a.student_id === studentId; })[0] || null;
  }

  function isOpen(lesson) { return journal.open && journal.open !== "new" && journal.open.id === lesson.id; }

  /** The values a mark of this work type may take: зач/незач or the five-point scale. */
  function markValues(code) {
    var kind = journal.workTypeByCode[code];
    return kind && kind.pass_fail ? PASS_FAIL : FIVE_POINT.map(function (v) { return [v, v]; });
  }

  function teacher(section) {
    var box = $("#courses");
    var schools = section.getAttribute("data-schools").split(",");
    Promise.all(schools.map(function (schoolId) {
      return api("GET", "/gradebook/schools/" + schoolId + "/courses").then(function (courses) {
        return courses.map(function (course) { course.school_id = schoolId; return course; });
      });
    })).then(function (lists) {
      var courses = [].concat.apply([], lists);
      clear(box);
      if (!courses.length) {
        box.appendChild(el("p", { "class": "hint", text: "Нагрузка пока не назначена. Обратитесь к завучу." }));
        return;
      }
      courses.forEach(function (course) {
        box.appendChild(el("button", {
          type: "button", "class": "chip",
          text: course.class_name + " · " + course.subject_name,
          onclick: function (event) {
            Array.prototype.forEach.call(box.children, function (c) { c.classList.remove("active"); });
            event.currentTarget.classList.add("active");
            openCourse(course);
          }
        }));
      });
      if (courses.length === 1) box.firstChild.click();
    }).catch(function (error) { show(box, error.message, "error"); });

    $("#new-lesson").addEventListener("click", openNewLesson);
    $("#earlier").addEventListener("click", function () { shiftPeriod(-JOURNAL_DAYS); });
    $("#later").addEventListener("click", function () { shiftPeriod(JOURNAL_DAYS); });
    $("#close-lesson").addEventListener("click", closeLesson);
    $("#lesson-form").addEventListener("submit", saveLesson);
  }

  function openCourse(course) {
    journal.course = course;
    journal.open = null;
    journal.lessons = [];
    journal.end = today();
    journal.start = addDays(journal.end, 1 - JOURNAL_DAYS);
    $("#course").hidden = false;
    $("#lesson-panel").hidden = true;
    $("#course-title").textContent = course.class_name + " · " + course.subject_name;
    clear($("#journal"));
    show($("#journal-note"), "", "");
    show($("#journal-status"), "Загрузка…", "");
    Promise.all([api("GET", gradebook("/courses/" + course.id + "/students")), api("GET", gradebook("/work-types"))])
      .then(function (results) {
        if (journal.course !== course) return;
        journal.students = results[0];
        journal.workTypes = results[1];
        journal.workTypeByCode = {};
        results[1].forEach(function (w) { journal.workTypeByCode[w.code] = w; });
        return loadJournal();
      })
      .catch(function (error) { show($("#journal-status"), error.message, "error"); });
  }

  function shiftPeriod(days) {
    journal.start = addDays(journal.start, days);
    journal.end = addDays(journal.end, days);
    loadJournal();
  }

  /** Attendance hears of a new lesson by an event; until then it knows no absences at it. */
  function lessonAbsences(lessonId) {
    return api("GET", attendance("/lessons/" + lessonId + "/absences")).catch(function (error) {
      if (error.status === 404) return [];
      throw error;
    });
  }

  /** Lessons with marks, absences and averages of the period, then the grid and the open lesson drawn anew. */
  function loadJournal() {
    var token = ++journal.loading;
    var course = journal.course;
    var period = "?start=" + isoDate(journal.start) + "&end=" + isoDate(journal.end);
    $("#period-title").textContent = humanDate(journal.start) + " — " + humanDate(journal.end);
    return Promise.all([
      api("GET", gradebook("/courses/" + course.id + "/lessons" + period)),
      api("GET", gradebook("/courses/" + course.id + "/averages" + period))
    ]).then(function (results) {
      return Promise.all(results[0].map(function (lesson) { return lessonAbsences(lesson.id); }))
        .then(function (absences) { return [results[0], results[1], absences]; });
    }).then(function (results) {
      if (token !== journal.loading) return;
      journal.lessons = results[0];
      journal.averages = {};
      results[1].forEach(function (a) { journal.averages[a.student_id] = a; });
      journal.absences = {};
      results[0].forEach(function (lesson, i) { journal.absences[lesson.id] = results[2][i]; });
      if (journal.open && journal.open !== "new") {
        journal.open = results[0].filter(isOpen)[0] || journal.open;
      }
      show($("#journal-status"), journal.lessons.length ? "" :
        "За эти четыре недели уроков нет. Нажмите «Записать урок», чтобы добавить урок.", "hint");
      renderJournal();
      renderClassList();
    }).catch(function (error) {
      if (token === journal.loading) show($("#journal-status"), error.message, "error");
    });
  }

  function renderJournal() {
    var table = clear($("#journal"));
    var head = el("tr", {}, [el("th", { "class": "name-col", scope: "col", text: "Обучающийся" })]);
    journal.lessons.forEach(function (lesson) {
      var date = parseDate(lesson.date);
      head.appendChild(el("th", { scope: "col", "class": "lesson-col" + (isOpen(lesson) ? " current" : "") }, [
        el("button", {
          type: "button", "class": "col-head", title: lesson.topic, text: dayMonth(date),
          "aria-label": "Урок " + humanDate(date) + ": " + lesson.topic,
          onclick: function () { openLesson(lesson); }
        })
      ]));
    });
    head.appendChild(el("th", { scope: "col", "class": "avg", title: "Средний балл за период", text: "Средн." }));
    head.appendChild(el("th", {
      scope: "col", "class": "avg", title: "Средневзвешенный балл: отметки с весами видов работ", text: "Взвеш."
    }));
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    if (!journal.students.length) {
      body.appendChild(el("tr", {}, [el("td", {
        colspan: String(journal.lessons.length + 3), "class": "hint", text: "В классе пока нет обучающихся."
      })]));
    }
    journal.students.forEach(function (student) {
      var row = el("tr", {}, [el("th", { scope: "row", "class": "name-col", text: studentName(student) })]);
      journal.lessons.forEach(function (lesson) { row.appendChild(journalCell(lesson, student)); });
      var averages = journal.averages[student.student_id] || {};
      row.appendChild(el("td", { "class": "avg", text: decimal(averages.average) }));
      row.appendChild(el("td", { "class": "avg", text: decimal(averages.weighted_average) }));
      body.appendChild(row);
    });
    table.appendChild(body);
  }

  function journalCell(lesson, student) {
    var cell = el("td", {
      "class": "cell" + (isOpen(lesson) ? " current" : ""),
      onclick: function () { openLesson(lesson, student.student_id); }
    });
    marksOf(lesson, student.student_id).forEach(function (mark) {
      cell.appendChild(el("button", {
        type: "button", "class": "mark m" + mark.value, title: markTitle(mark), text: mark.value,
        onclick: function (event) { event.stopPropagation(); editMark(mark, student, lesson); }
      }));
    });
    var absence = absenceOf(lesson, student.student_id);
    if (absence) {
      cell.appendChild(el("button", {
        type: "button", "class": "absence", title: absence.code + " — " + ABSENCE_MEANINGS[absence.code], text: absence.code,
        onclick: function (event) { event.stopPropagation(); editAbsence(absence, student, lesson); }
      }));
    }
    return cell;
  }

  function openLesson(lesson, studentId) {
    var date = parseDate(lesson.date);
    journal.open = lesson;
    journal.rowStatus = {};
    var panel = $("#lesson-panel");
    panel.hidden = false;
    $("#lesson-title").textContent = "Урок " + humanDate(date) + ", " + WEEKDAYS[date.getDay()].toLowerCase();
    var form = $("#lesson-form");
    form.elements.date.value = lesson.date;
    form.elements.date.disabled = true;
    form.elements.topic.value = lesson.topic;
    form.elements.homework.value = lesson.homework || "";
    $("#lesson-submit").textContent = "Сохранить тему и задание";
    show($("#lesson-status"), "", "");
    $("#class-list").hidden = false;
    renderJournal();
    renderClassList();
    var row = studentId && $('#class-list tr[data-student="' + studentId + '"]');
    if (row) {
      row.scrollIntoView({ block: "center", behavior: "smooth" });
      row.querySelector("select").focus({ preventScroll: true });
    } else {
      panel.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function openNewLesson() {
    journal.open = "new";
    var panel = $("#lesson-panel");
    panel.hidden = false;
    $("#lesson-title").textContent = "Новый урок";
    var form = $("#lesson-form");
    form.reset();
    form.elements.date.disabled = false;
    form.elements.date.value = isoDate(today());
    $("#lesson-submit").textContent = "Записать урок";
    show($("#lesson-status"), "Укажите дату и тему, затем выставите отметки и пропуски.", "");
    $("#class-list").hidden = true;
    renderJournal();
    panel.scrollIntoView({ block: "start", behavior: "smooth" });
    form.elements.topic.focus({ preventScroll: true });
  }

  function closeLesson() {
    journal.open = null;
    $("#lesson-panel").hidden = true;
    renderJournal();
  }

  /** A new lesson (a new column) or the open lesson's topic and homework. */
  function saveLesson(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var status = $("#lesson-status");
    var isNew = journal.open === "new";
    var body = { topic: form.elements.topic.value.trim(), homework: form.elements.homework.value.trim() || null };
    if (isNew) {
      body.course_id = journal.course.id;
      body.date = form.elements.date.value;
    }
    var request = isNew ? api("POST", gradebook("/lessons"), body)
      : api("PATCH", gradebook("/lessons/" + journal.open.id), body);
    show(status, "Сохраняю…", "");
    request.then(function (saved) {
      var date = parseDate(saved.date);
      if (date < journal.start || date > journal.end) {
        journal.end = date > today() ? date : today();
        journal.start = addDays(journal.end, 1 - JOURNAL_DAYS);
      }
      saved.marks = isNew ? [] : journal.open.marks;
      if (isNew) {
        openLesson(saved);
        show(status, "Урок " + humanDate(date) + " записан. Выставьте отметки и пропуски.", "ok");
      } else {
        journal.open = saved;
        show(status, "Тема и домашнее задание сохранены.", "ok");
      }
      return loadJournal();
    }).catch(function (error) { show(status, error.message, "error"); });
  }

  /** What happened to a student's mark or absence: beside the student in the open lesson, else above the grid. */
  function say(lesson, student, text, kind) {
    if (isOpen(lesson)) {
      journal.rowStatus[student.student_id] = [text, kind];
      var note = $('#class-list tr[data-note="' + student.student_id + '"]');
      if (note) {
        note.hidden = !text;
        show(note.querySelector(".status"), text, kind);
      }
    } else {
      show($("#journal-note"), studentName(student) + ", " + dayMonth(parseDate(lesson.date)) + ": " + text, kind);
    }
  }

  function renderClassList() {
    var lesson = journal.open;
    if (!lesson || lesson === "new") return;
    var tbody = clear($("#class-list tbody"));
    if (!journal.students.length) {
      tbody.appendChild(el("tr", {}, [el("td", { colspan: "5", "class": "hint", text: "В классе пока нет обучающихся." })]));
      return;
    }
    var workTypeChoices = journal.workTypes.map(function (w) { return [w.code, w.title]; });
    journal.students.forEach(function (student) {
      var said = journal.rowStatus[student.student_id] || ["", ""];
      var marks = el("span", { "class": "marks" });
      marksOf(lesson, student.student_id).forEach(function (mark) {
        marks.appendChild(el("button", {
          type: "button", "class": "mark m" + mark.value, title: markTitle(mark) + ". Нажмите, чтобы исправить",
          text: mark.value, onclick: function () { editMark(mark, student, lesson); }
        }));
      });
      var workType = options(el("select", { "aria-label": "Вид работы" }), workTypeChoices);
      var value = el("select", { "aria-label": "Новая отметка" });
      var fillValues = function () {
        options(clear(value), [["", "Отметка"]].concat(markValues(workType.value)));
      };
      fillValues();
      workType.addEventListener("change", fillValues);
      value.addEventListener("change", function () {
        if (!value.value) return;
        var body = { student_id: student.student_id, value: value.value, work_type: workType.value };
        value.value = "";
        say(lesson, student, "Сохраняю…", "");
        api("POST", gradebook("/lessons/" + lesson.id + "/marks"), body).then(function (mark) {
          say(lesson, student, "Отметка " + mark.value + " («" + workTypeTitle(mark.work_type) + "») сохранена", "ok");
          return loadJournal();
        }).catch(function (error) { say(lesson, student, error.message, "error"); });
      });
      var absence = absenceOf(lesson, student.student_id);
      var absenceSelect = options(el("select", { "aria-label": "Пропуск" }), [["", "Без пропуска"]].concat(
        ABSENCE_CODES.map(function (code) { return [code, code + " — " + ABSENCE_MEANINGS[code]]; })));
      absenceSelect.value = absence ? absence.code : "";
      absenceSelect.addEventListener("change", function () {
        say(lesson, student, "Сохраняю…", "");
        changeAbsence(lesson, absence, student, absenceSelect.value).then(function (text) {
          say(lesson, student, text, "ok");
          return loadJournal();
        }).catch(function (error) {
          absenceSelect.value = absence ? absence.code : "";
          say(lesson, student, error.message, "error");
        });
      });
      tbody.appendChild(el("tr", { "data-student": student.student_id }, [
        el("td", { "class": "student", text: studentName(student) }),
        el("td", {}, [marks]), el("td", {}, [workType]), el("td", {}, [value]), el("td", {}, [absenceSelect])
      ]));
      var note = el("tr", { "class": "row-note", "data-note": student.student_id }, [
        el("td", { colspan: "5" }, [el("span", { "class": "status " + said[1], text: said[0] })])
      ]);
      note.hidden = !said[0];
      tbody.appendChild(note);
    });
  }

  /** Records, corrects or withdraws a student's absence at a lesson; resolves to what was done. */
  function changeAbsence(lesson, absence, student, code) {
    if (absence && !code) {
      return api("DELETE", attendance("/absences/" + absence.id)).then(function () { return "Отметка о пропуске снята"; });
    }
    if (absence) {
      return api("PATCH", attendance("/absences/" + absence.id), { reason: code }).then(function (saved) {
        return "Причина исправлена: " + saved.code + " — " + ABSENCE_MEANINGS[saved.code];
      });
    }
    var body = { student_id: student.student_id, reason: code };
    /* Attendance learns of a new lesson by an event; until then it answers 409, so try again shortly. */
    var attempt = function (left) {
      return api("POST", attendance("/lessons/" + lesson.id + "/absences"), body).catch(function (error) {
        if (error.status === 409 && /ещё не получен/.test(error.message) && left > 0) {
          return sleep(500).then(function () { return attempt(left - 1); });
        }
        throw error;
      });
    };
    return attempt(6).then(function (saved) { return "Пропуск «" + saved.code + "» сохранён"; });
  }

  /** A small dialog offering the choices; the chosen one is saved, a service's refusal is shown inside it. */
  function editor(title, notes, choices, current, lesson, student, save) {
    var dialog = $("#editor");
    var status = el("p", { "class": "status", "aria-live": "polite" });
    var buttons = el("div", { "class": "choices" });
    choices.forEach(function (choice) {
      buttons.appendChild(el("button", {
        type: "button", "class": "choice " + (choice[2] || "") + (choice[0] === current ? " active" : ""),
        text: choice[1],
        onclick: function () {
          if (choice[0] === current) { dialog.close(); return; }
          show(status, "Сохраняю…", "");
          save(choice[0]).then(function (text) {
            dialog.close();
            say(lesson, student, text, "ok");
            return loadJournal();
          }).catch(function (error) { show(status, error.message, "error"); });
        }
      }));
    });
    clear(dialog).appendChild(el("h3", { id: "editor-title", text: title }));
    dialog.appendChild(el("p", { "class": "hint" }, notes.map(function (line) { return el("span", { "class": "line", text: line }); })));
    dialog.appendChild(buttons);
    dialog.appendChild(status);
    dialog.appendChild(el("div", { "class": "editor-foot" }, [
      el("button", { type: "button", "class": "button quiet", text: "Отмена", onclick: function () { dialog.close(); } })
    ]));
    dialog.showModal();
  }

  function editMark(mark, student, lesson) {
    var choices = markValues(mark.work_type).map(function (v) { return [v[0], v[1], "mark m" + v[0]]; });
    editor("Исправить отметку", [studentName(student), humanDate(parseDate(lesson.date)) + " · " + markTitle(mark)],
      choices, mark.value, lesson, student, function (value) {
        return api("PATCH", gradebook("/marks/" + mark.id), { value: value }).then(function (saved) {
          return "Отметка исправлена на " + saved.value;
        });
      });
  }

  function editAbsence(absence, student, lesson) {
    var choices = ABSENCE_CODES.map(function (code) { return [code, code + " — " + ABSENCE_MEANINGS[code]]; })
      .concat([["", "Снять отметку о пропуске", "remove"]]);
    editor("Исправить пропуск", [studentName(student), "Урок " + humanDate(parseDate(lesson.date))],
      choices, absence.code, lesson, student, function (code) { return changeAbsence(lesson, absence, student, code); });
  }

  /* ---------- Family ---------- */

  var family = { student: null, monday: mondayOf(new Date()), workTypes: {} };

  function familyView() {
    var box = $("#children");
    api("GET", "/diary").then(function (students) {
      clear(box);
      if (!students.length) {
        box.appendChild(el("p", { "class": "hint", text: "Дневники пока недоступны: школа ещё не связала вас с обучающимся." }));
        clear($("#notification-list"));
        return;
      }
      students.forEach(function (student, index) {
        var label = (student.name || "Обучающийся") + (student.class_name ? ", " + student.class_name : "");
        box.appendChild(el("button", {
          type: "button", "class": "chip" + (index === 0 ? " active" : ""), text: label,
          onclick: function (event) {
            Array.prototype.forEach.call(box.children, function (c) { c.classList.remove("active"); });
            event.currentTarget.classList.add("active");
            chooseStudent(student);
          }
        }));
      });
      chooseStudent(students[0]);
    }).catch(function (error) { show(box, error.message, "error"); });
    $("#prev-week").addEventListener("click", function () { family.monday = addDays(family.monday, -7); loadWeek(); });
    $("#next-week").addEventListener("click", function () { family.monday = addDays(family.monday, 7); loadWeek(); });
  }

  function chooseStudent(student) {
    family.student = student;
    api("GET", "/gradebook/schools/" + student.school_id + "/work-types").then(function (types) {
      types.forEach(function (w) { family.workTypes[w.code] = w.title; });
    }).catch(function () { /* titles are a nicety; the codes still show */ }).then(loadWeek);
    loadNotifications(student.school_id);
  }

  function loadWeek() {
    var start = family.monday, end = addDays(start, 6);
    $("#week-title").textContent = humanDate(start) + " — " + humanDate(end);
    var box = $("#diary");
    show(box, "Загрузка…", "");
    var path = "/diary/" + family.student.student_id + "?start=" + isoDate(start) + "&end=" + isoDate(end);
    api("GET", path).then(function (diary) { renderWeek(clear(box), diary); })
      .catch(function (error) { show(box, error.message, "error"); });
  }

  function renderWeek(box, diary) {
    var days = diary.days.filter(function (day) { return day.lessons.length; });
    if (!days.length) {
      box.appendChild(el("p", { "class": "hint", text: "На этой неделе записей нет." }));
      return;
    }
    days.forEach(function (day) {
      var date = parseDate(day.date);
      var list = el("ol", { "class": "lessons" });
      day.lessons.forEach(function (item) {
        var marks = el("span", { "class": "marks" });
        item.marks.forEach(function (m) {
          var title = m.work_type_title || family.workTypes[m.work_type] || m.work_type;
          marks.appendChild(el("span", { "class": "mark-item", title: title + ", вес " + number(m.weight) }, [
            el("span", { "class": "mark m" + m.value, text: m.value }), el("span", { "class": "work", text: title })
          ]));
        });
        if (item.absence) {
          var meaning = ABSENCE_MEANINGS[item.absence.code] || "";
          marks.appendChild(el("span", { "class": "mark-item", title: "Пропуск: " + item.absence.code + " — " + meaning }, [
            el("span", { "class": "absence", text: item.absence.code }), el("span", { "class": "work", text: meaning })
          ]));
        }
        list.appendChild(el("li", {}, [
          el("div", { "class": "lesson-head" }, [el("strong", { text: item.subject }), marks]),
          item.topic ? el("div", { "class": "topic", text: "Тема: " + item.topic }) : null,
          item.homework ? el("div", { "class": "homework", text: "Домашнее задание: " + item.homework }) : null
        ]));
      });
      box.appendChild(el("div", { "class": "day" }, [
        el("h3", { text: WEEKDAYS[date.getDay()] + ", " + humanDate(date) }), list
      ]));
    });
  }

  /** A moment the service gives in UTC, as the clock on the reader's wall shows it. */
  function localTime(iso) {
    var moment = new Date(iso);
    var sameYear = moment.getFullYear() === new Date().getFullYear();
    return moment.toLocaleString("ru-RU", {
      day: "numeric", month: "long", year: sameYear ? undefined : "numeric", hour: "2-digit", minute: "2-digit"
    });
  }

  function loadNotifications(schoolId) {
    var list = $("#notification-list");
    api("GET", "/notifications/schools/" + schoolId + "/notifications").then(function (items) {
      clear(list);
      if (!items.length) {
        list.appendChild(el("li", { "class": "hint", text: "Новых уведомлений нет." }));
        return;
      }
      items.forEach(function (n) {
        var item = el("li", { "class": n.read_at ? "read" : "unread" }, [
          el("div", { "class": "note-title", text: n.title }),
          n.body ? el("div", { text: n.body }) : null,
          el("time", { "class": "hint", datetime: n.created_at, text: localTime(n.created_at) })
        ]);
        if (!n.read_at) {
          item.appendChild(el("button", {
            type: "button", "class": "button quiet", text: "Прочитано",
            onclick: function (event) {
              var button = event.currentTarget;
              api("POST", "/notifications/schools/" + schoolId + "/notifications/" + n.id + "/read").then(function () {
                item.className = "read";
                button.remove();
              }).catch(function (error) { button.textContent = error.message; });
            }
          }));
        }
        list.appendChild(item);
      });
    }).catch(function (error) { clear(list).appendChild(el("li", { "class": "status error", text: error.message })); });
  }

  /* ---------- School administrator: classes, subjects, people, teaching load ---------- */

  /** What the administrator's screen has loaded; lists are fetched anew after every change. */
  var school = { id: "", classes: [], subjects: [], people: [], everyone: [], staff: [], openClass: null, openPerson: null };
  /** Staff roles the administrator grants (contracts.roster.StaffRole). */
  var STAFF_ROLES = ["teacher", "class_teacher", "deputy", "director", "secretary", "psychologist", "school_admin"];
  var roleTitles = {};

  function roster(path) { return "/roster/schools/" + school.id + path; }

  function formData(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.type !== "search" && field.type !== "submit") {
        data[field.name] = field.type === "checkbox" ? field.checked : field.value.trim();
      }
    });
    return data;
  }

  function russianDate(iso) { return iso ? dayMonth(parseDate(iso)) + "." + iso.slice(0, 4) : ""; }

  /** Field names as the forms label them, for a service's «check the fields» answer. */
  var FIELD_TITLES = {
    last_name: "Фамилия", first_name: "Имя", middle_name: "Отчество", birth_date: "Дата рождения",
    snils: "СНИЛС", esia_oid: "Учётная запись ЕСИА", consent: "Согласие", letter: "Буква", grade: "Параллель",
    name: "Название", relation: "Кем приходится"
  };

  /** The problem's detail, or each wrong field by its label with the service's Russian reason where it gives one. */
  function problemText(error) {
    if (!error.fields || !error.fields.length) return error.message;
    return "Проверьте: " + error.fields.map(function (f) {
      var reason = /[а-яё]/i.test(f.message) ? " — " + f.message.replace(/^Value error, /, "") : "";
      return "«" + (FIELD_TITLES[f.field] || f.field) + "»" + reason;
    }).join("; ") + ".";
  }

  /** Saves through the API, the status line telling what happened; `send` redraws the lists itself. */
  function submit(form, status, send, done) {
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    show(status, "Сохраняю…", "");
    send().then(function (saved) {
      show(status, done(saved), "ok");
    }).catch(function (error) {
      show(status, problemText(error), "error");
    }).then(function () { button.disabled = false; });
  }

  /** A select of people that narrows as the user types into the search box beside it. */
  function pickPeople(form, fieldName, people) {
    var find = form.elements.find;
    var select = form.elements[fieldName];
    var fill = function () {
      var words = find.value.toLowerCase().split(/\s+/).filter(Boolean);
      var chosen = select.value;
      var fitting = people.filter(function (p) {
        var name = p.name.toLowerCase();
        return words.every(function (w) { return name.indexOf(w) >= 0; });
      });
      clear(select);
      options(select, [["", fitting.length ? "Выберите (" + fitting.length + ")" : "Никого не найдено"]].concat(
        fitting.map(function (p) {
          return [p.id, p.name + (p.birth_date ? ", " + russianDate(p.birth_date) : "") +
            (p.classes.length ? " · " + p.classes.join(", ") : "")];
        })));
      select.value = fitting.some(function (p) { return p.id === chosen; }) ? chosen : (fitting.length === 1 ? fitting[0].id : "");
    };
    find.oninput = fill;
    fill();
  }

  function emptyItem(list, text) { list.appendChild(el("li", { "class": "hint", text: text })); }

  function adminView(section) {
    roleTitles = JSON.parse(section.getAttribute("data-role-titles"));
    var picker = $("#admin-school");
    school.id = picker.value;
    picker.addEventListener("change", function () { school.id = picker.value; loadSchool(); });
    Array.prototype.forEach.call(section.querySelectorAll(".tab"), function (tab) {
      tab.addEventListener("click", function () { openTab(tab.getAttribute("data-tab")); });
    });
    var roleSelect = $("#role-form").elements.role;
    options(roleSelect, STAFF_ROLES.map(function (r) { return [r, roleTitles[r] || r]; }));
    $("#class-form").addEventListener("submit", createClass);
    $("#subject-form").addEventListener("submit", createSubject);
    $("#enrol-form").addEventListener("submit", enrol);
    $("#close-class").addEventListener("click", function () { school.openClass = null; $("#class-panel").hidden = true; renderClasses(); });
    $("#add-person").addEventListener("click", function () {
      var form = $("#person-form");
      form.hidden = false;
      form.elements.last_name.focus();
    });
    $("#cancel-person").addEventListener("click", function () { $("#person-form").reset(); $("#person-form").hidden = true; });
    $("#person-form").addEventListener("submit", addPerson);
    $("#role-form").addEventListener("submit", grantRole);
    $("#guardian-form").addEventListener("submit", linkGuardian);
    $("#close-person").addEventListener("click", function () { school.openPerson = null; $("#person-panel").hidden = true; renderPeople(); });
    $("#issue-login").addEventListener("click", function () { issueLogin(false); });
    $("#reset-login").addEventListener("click", function () { issueLogin(true); });
    $("#revoke-login").addEventListener("click", revokeLogin);
    var searching = 0;
    $("#people-search").addEventListener("input", function () {
      var token = ++searching;
      setTimeout(function () { if (token === searching) loadPeople(); }, 250);
    });
    $("#people-role").addEventListener("change", loadPeople);
    $("#load-form").addEventListener("submit", assign);
    $("#enrol-form").elements.enrolled_on.value = isoDate(today());
    loadSchool();
  }

  function openTab(name) {
    Array.prototype.forEach.call(document.querySelectorAll("#admin .tab"), function (tab) {
      tab.setAttribute("aria-selected", String(tab.getAttribute("data-tab") === name));
    });
    Array.prototype.forEach.call(document.querySelectorAll("#admin .tab-panel"), function (panel) {
      panel.hidden = panel.id !== "tab-" + name;
    });
    if (name === "load") loadAssignments();
  }

  function loadSchool() {
    school.openClass = null;
    school.openPerson = null;
    $("#class-panel").hidden = true;
    $("#person-panel").hidden = true;
    return Promise.all([loadClasses(), loadSubjects(), loadPeople(), loadEveryone(), loadStaff()]);
  }

  /* Классы */

  function loadClasses() {
    return api("GET", roster("/classes")).then(function (classes) {
      school.classes = classes;
      renderClasses();
      fillLoadForm();
    }).catch(function (error) { show($("#class-status"), error.message, "error"); });
  }

  function renderClasses() {
    var box = clear($("#class-chips"));
    if (!school.classes.length) {
      box.appendChild(el("p", { "class": "hint", text: "Классов пока нет. Создайте первый: параллель и буква." }));
      return;
    }
    school.classes.forEach(function (klass) {
      box.appendChild(el("button", {
        type: "button", "class": "chip" + (school.openClass && school.openClass.id === klass.id ? " active" : ""),
        text: klass.name, title: "Учебный год " + klass.academic_year,
        onclick: function () { openClass(klass); }
      }));
    });
  }

  function createClass(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var body = { grade: Number(form.elements.grade.value), letter: form.elements.letter.value.trim() };
    submit(form, $("#class-status"), function () {
      return api("POST", roster("/classes"), body).then(function (klass) {
        form.elements.letter.value = "";
        return loadClasses().then(function () { openClass(klass); return klass; });
      });
    }, function (klass) { return "Класс " + klass.name + " создан (" + klass.academic_year + ")."; });
  }

  function openClass(klass) {
    school.openClass = klass;
    $("#class-panel").hidden = false;
    $("#class-title").textContent = "Класс " + klass.name + " · " + klass.academic_year;
    show($("#enrol-status"), "", "");
    renderClasses();
    pickPeople($("#enrol-form"), "student_id", enrollable());
    loadClassStudents();
  }

  /** Whom a class may take: people who are neither staff nor in a class yet. */
  function enrollable() {
    // moving a student from another class is a transfer, not an enrolment.
    return school.everyone.filter(function (p) { return !p.roles.length && !p.classes.length; });
  }

  function loadClassStudents() {
    var klass = school.openClass;
    var list = clear($("#class-students"));
    return api("GET", roster("/classes/" + klass.id + "/students")).then(function (students) {
      if (school.openClass !== klass) return;
      clear(list);
      if (!students.length) emptyItem(list, "В классе пока нет обучающихся. Выберите человека и нажмите «Зачислить».");
      students.forEach(function (s) {
        list.appendChild(el("li", {}, [
          el("span", { text: s.name }),
          el("span", { "class": "hint", text: (s.birth_date ? russianDate(s.birth_date) + " · " : "") +
            "зачислен(а) " + russianDate(s.enrolled_on) + (s.has_esia ? "" : " · нет ЕСИА") })
        ]));
      });
    }).catch(function (error) { show($("#enrol-status"), error.message, "error"); });
  }

  function enrol(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var klass = school.openClass;
    var body = { student_id: form.elements.student_id.value, class_id: klass.id, enrolled_on: form.elements.enrolled_on.value };
    var name = form.elements.student_id.selectedOptions[0].textContent.split(",")[0];
    submit(form, $("#enrol-status"), function () {
      return api("POST", roster("/enrolments"), body).then(function () {
        form.elements.find.value = "";
        return Promise.all([loadClassStudents(), loadPeople(), loadEveryone()]).then(function () {
          pickPeople(form, "student_id", enrollable());
        });
      });
    }, function () { return name + " зачислен(а) в " + klass.name + "."; });
  }

  /* Предметы */

  function loadSubjects() {
    return api("GET", roster("/subjects")).then(function (subjects) {
      school.subjects = subjects;
      var list = clear($("#subject-list"));
      if (!subjects.length) emptyItem(list, "Предметов пока нет.");
      subjects.forEach(function (s) { list.appendChild(el("li", { text: s.name })); });
      fillLoadForm();
    }).catch(function (error) { show($("#subject-status"), error.message, "error"); });
  }

  function createSubject(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var body = { name: form.elements.name.value.trim() };
    submit(form, $("#subject-status"), function () {
      return api("POST", roster("/subjects"), body).then(function (subject) {
        form.reset();
        return loadSubjects().then(function () { return subject; });
      });
    }, function (subject) { return "Предмет «" + subject.name + "» добавлен."; });
  }

  /* Люди */

  /** Everyone in the school, for the pickers; the list on the «Люди» tab follows the search instead. */
  function loadEveryone() {
    return api("GET", roster("/people")).then(function (people) { school.everyone = people; });
  }

  function loadPeople() {
    var query = [];
    var q = $("#people-search").value.trim();
    var role = $("#people-role").value;
    if (q) query.push("q=" + encodeURIComponent(q));
    if (role) query.push("role=" + role);
    return api("GET", roster("/people" + (query.length ? "?" + query.join("&") : ""))).then(function (people) {
      school.people = people;
      renderPeople();
    }).catch(function (error) { show($("#people-status"), error.message, "error"); });
  }

  function describe(p) {
    var parts = [];
    if (p.birth_date) parts.push(russianDate(p.birth_date));
    if (p.classes.length) parts.push("обучающийся " + p.classes.join(", "));
    p.roles.forEach(function (r) { parts.push(roleTitles[r] || r); });
    parts.push(p.has_esia ? "ЕСИА подключена" : "нет ЕСИА");
    return parts.join(" · ");
  }

  function renderPeople() {
    var list = clear($("#people-list"));
    if (!school.people.length) {
      emptyItem(list, $("#people-search").value || $("#people-role").value ? "Никого не найдено." : "В школе пока никого нет. Нажмите «Добавить человека».");
    }
    school.people.forEach(function (p) {
      list.appendChild(el("li", {}, [el("button", {
        type: "button", "class": "row-button" + (school.openPerson && school.openPerson.id === p.id ? " active" : ""),
        onclick: function () { openPerson(p); }
      }, [el("span", { "class": "person-name", text: p.name }), el("span", { "class": "hint", text: describe(p) })])]));
    });
  }

  function addPerson(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var data = formData(form);
    var body = { last_name: data.last_name, first_name: data.first_name, consent: data.consent };
    ["middle_name", "birth_date", "snils", "esia_oid"].forEach(function (key) { if (data[key]) body[key] = data[key]; });
    submit(form, $("#people-status"), function () {
      return api("POST", roster("/people"), body).then(function (saved) {
        form.reset();
        form.hidden = true;
        return Promise.all([loadPeople(), loadEveryone()]).then(function () { return saved; });
      });
    }, function (saved) { return [saved.last_name, saved.first_name, saved.middle_name].join(" ").trim() + " добавлен(а)."; });
  }

  function openPerson(p) {
    school.openPerson = p;
    var panel = $("#person-panel");
    panel.hidden = false;
    $("#person-title").textContent = p.name;
    $("#person-facts").textContent = describe(p);
    show($("#person-status"), "", "");
    renderPeople();
    pickPeople($("#guardian-form"), "guardian_id", school.everyone.filter(function (other) {
      return other.id !== p.id && !other.classes.length;
    }));
    // Parents are linked on the student's card; a staff member is nobody's student here.
    $("#guardians").hidden = p.roles.length > 0 && !p.classes.length;
    $("#staff-roles").hidden = p.classes.length > 0 && !p.roles.length;
    loadGuardians(p);
    loadLocalLogin(p);
    panel.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function loadGuardians(p) {
    var list = clear($("#guardian-list"));
    return api("GET", roster("/guardianships?student_id=" + p.id)).then(function (links) {
      if (school.openPerson !== p) return;
      clear(list);
      if (!links.length) emptyItem(list, "Родители не указаны.");
      links.forEach(function (link) {
        list.appendChild(el("li", {}, [
          el("span", { text: link.guardian_name }),
          el("span", { "class": "hint", text: link.relation + (link.guardian_has_esia ? "" : " · нет ЕСИА") })
        ]));
      });
    }).catch(function (error) { show($("#person-status"), error.message, "error"); });
  }

  /** After a change to the open person: the lists anew, and the panel showing the fresh record. */
  function refreshPerson() {
    var id = school.openPerson.id;
    return Promise.all([loadPeople(), loadEveryone(), loadStaff()]).then(function () {
      var fresh = school.everyone.filter(function (p) { return p.id === id; })[0];
      if (fresh) { school.openPerson = fresh; $("#person-facts").textContent = describe(fresh); loadGuardians(fresh); }
      renderPeople();
    });
  }

  function grantRole(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var role = form.elements.role.value;
    var p = school.openPerson;
    submit(form, $("#person-status"), function () {
      return api("POST", roster("/staff-roles"), { person_id: p.id, role: role }).then(refreshPerson);
    }, function () { return p.name + ": назначена роль «" + (roleTitles[role] || role) + "»."; });
  }

  function linkGuardian(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var p = school.openPerson;
    var body = { guardian_id: form.elements.guardian_id.value, student_id: p.id, relation: form.elements.relation.value };
    var guardian = form.elements.guardian_id.selectedOptions[0].textContent.split(",")[0];
    submit(form, $("#person-status"), function () {
      return api("POST", roster("/guardianships"), body).then(function () {
        form.elements.find.value = "";
        form.elements.guardian_id.value = "";
        form.elements.find.oninput();
        return refreshPerson();
      });
    }, function () { return "Связь сохранена: " + guardian + " — " + body.relation + "."; });
  }

  /* Вход по логину: for people without an account at Госуслуги */

  function localLogin(path) { return "/local-logins" + (path || ""); }

  function loginButtons(has) {
    $("#issue-login").hidden = has;
    $("#reset-login").hidden = !has;
    $("#revoke-login").hidden = !has;
  }

  function loadLocalLogin(p) {
    var facts = $("#login-facts");
    $("#credentials").hidden = true;
    show($("#login-status"), "", "");
    facts.textContent = "Загрузка…";
    ["#issue-login", "#reset-login", "#revoke-login"].forEach(function (id) { $(id).hidden = true; });
    return api("GET", localLogin("/" + p.id)).then(function (login) {
      if (school.openPerson !== p) return;
      var parts = ["Логин: " + login.login];
      parts.push(login.temporary ? "временный пароль ещё не сменён"
        : "пароль сменён " + russianDate(login.password_set_at.slice(0, 10)));
      if (login.locked_until) parts.push("вход временно закрыт после неудачных попыток");
      facts.textContent = parts.join(" · ");
      loginButtons(true);
    }).catch(function (error) {
      if (school.openPerson !== p) return;
      if (error.status === 404) {
        facts.textContent = p.has_esia ? "Логин не выдан: человек входит через Госуслуги." : "Логин не выдан.";
        loginButtons(false);
      } else {
        facts.textContent = "";
        show($("#login-status"), error.message, "error");
      }
    });
  }

  /** The login and temporary password, shown once: the administrator hands them over in person. */
  function showCredentials(issued) {
    var box = clear($("#credentials"));
    box.appendChild(el("dl", {}, [
      el("dt", { text: "Логин" }), el("dd", { text: issued.login }),
      el("dt", { text: "Временный пароль" }), el("dd", { text: issued.temporary_password })
    ]));
    box.appendChild(el("p", { "class": "hint", text: "Передайте логин и пароль лично в руки, не по почте и не через других " +
      "людей. Пароль показан один раз; при первом входе его нужно сменить." }));
    box.hidden = false;
  }

  function issueLogin(reset) {
    var p = school.openPerson;
    if (reset && !window.confirm("Сбросить пароль " + p.name + "? Прежний пароль перестанет действовать, " +
      "открытые сеансы будут завершены.")) return;
    var buttons = [$("#issue-login"), $("#reset-login")];
    buttons.forEach(function (b) { b.disabled = true; });
    show($("#login-status"), "Выдаю…", "");
    api("POST", localLogin(), { person_id: p.id }).then(function (issued) {
      return loadLocalLogin(p).then(function () {
        showCredentials(issued);
        show($("#login-status"), issued.reset ? "Пароль сброшен: выдан новый временный пароль." : "Логин выдан.", "ok");
      });
    }).catch(function (error) {
      show($("#login-status"), error.message, "error");
    }).then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  function revokeLogin() {
    var p = school.openPerson;
    if (!window.confirm("Отозвать логин " + p.name + "? Войти по нему будет нельзя, открытые сеансы будут завершены.")) return;
    api("DELETE", localLogin("/" + p.id)).then(function () {
      return loadLocalLogin(p).then(function () { show($("#login-status"), "Логин отозван.", "ok"); });
    }).catch(function (error) { show($("#login-status"), error.message, "error"); });
  }

  /* Нагрузка */

  function loadStaff() {
    return api("GET", roster("/staff")).then(function (staff) { school.staff = staff; fillLoadForm(); });
  }

  function fillSelect(select, pairs, empty) {
    var chosen = select.value;
    options(clear(select), [["", pairs.length ? "Выберите" : empty]].concat(pairs));
    select.value = chosen;
  }

  function fillLoadForm() {
    var form = $("#load-form");
    fillSelect(form.elements.teacher_id, school.staff.filter(function (s) { return s.roles.indexOf("teacher") >= 0; })
      .map(function (s) { return [s.person_id, s.name]; }), "Нет учителей: назначьте роль «учитель» в «Люди»");
    fillSelect(form.elements.subject_id, school.subjects.map(function (s) { return [s.id, s.name]; }), "Нет предметов");
    fillSelect(form.elements.class_id, school.classes.map(function (c) { return [c.id, c.name]; }), "Нет классов");
  }

  function nameOf(list, key, id, field) {
    var found = list.filter(function (item) { return item[key] === id; })[0];
    return found ? found[field] : "(неизвестно)";
  }

  function loadAssignments() {
    var list = $("#load-list");
    return api("GET", roster("/assignments")).then(function (assignments) {
      var rows = assignments.map(function (a) {
        return {
          teacher: nameOf(school.staff, "person_id", a.teacher_id, "name"),
          subject: nameOf(school.subjects, "id", a.subject_id, "name"),
          klass: nameOf(school.classes, "id", a.class_id, "name"),
          grade: (school.classes.filter(function (c) { return c.id === a.class_id; })[0] || { grade: 99 }).grade
        };
      }).sort(function (x, y) {
        return x.teacher.localeCompare(y.teacher, "ru") || x.grade - y.grade || x.klass.localeCompare(y.klass, "ru") ||
          x.subject.localeCompare(y.subject, "ru");
      });
      clear(list);
      if (!rows.length) emptyItem(list, "Нагрузка пока не назначена.");
      rows.forEach(function (r) {
        list.appendChild(el("li", {}, [
          el("span", { text: r.teacher }), el("span", { "class": "hint", text: r.subject + " · " + r.klass })
        ]));
      });
    }).catch(function (error) { show($("#load-status"), error.message, "error"); });
  }

  function assign(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var body = formData(form);
    var what = form.elements.teacher_id.selectedOptions[0].textContent + " · " +
      form.elements.subject_id.selectedOptions[0].textContent + " · " + form.elements.class_id.selectedOptions[0].textContent;
    submit(form, $("#load-status"), function () {
      return api("POST", roster("/assignments"), body).then(loadAssignments);
    }, function () { return "Назначено: " + what + "."; });
  }

  /* ---------- Start ---------- */

  api("GET", "/me").then(function (me) {
    csrfToken = me.csrf_token;
    var teacherSection = $("#teacher");
    if (teacherSection) teacher(teacherSection);
    if ($("#family")) familyView();
    var adminSection = $("#admin");
    if (adminSection) adminView(adminSection);
  }).catch(function (error) {
    var main = document.querySelector("main");
    main.insertBefore(el("p", { "class": "status error", text: error.message }), main.firstChild);
  });
})();
