/* Электронный журнал: the teacher's class journal and the family diary. Plain JS, no build step. */
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

  /* ---------- Start ---------- */

  api("GET", "/me").then(function (me) {
    csrfToken = me.csrf_token;
    var teacherSection = $("#teacher");
    if (teacherSection) teacher(teacherSection);
    if ($("#family")) familyView();
  }).catch(function (error) {
    var main = document.querySelector("main");
    main.insertBefore(el("p", { "class": "status error", text: error.message }), main.firstChild);
  });
})();
