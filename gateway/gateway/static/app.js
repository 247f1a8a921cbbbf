/* Электронный журнал: the teacher's lesson form and the family diary. Plain JS, no build step. */
"use strict";

(function () {
  var csrfToken = "";
  var MARKS = ["5", "4", "3", "2"];
  var ABSENCES = [["Н", "Н — без уважительной причины"], ["Б", "Б — болезнь"], ["У", "У — уважительная причина"], ["О", "О — опоздание"]];
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

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function isoDate(day) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return day.getFullYear() + "-" + pad(day.getMonth() + 1) + "-" + pad(day.getDate());
  }

  function parseDate(text) {
    var parts = text.split("-");
    return new Date(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function addDays(day, days) { var d = new Date(day); d.setDate(d.getDate() + days); return d; }

  function mondayOf(day) { return addDays(day, -((day.getDay() + 6) % 7)); }

  function humanDate(day) { return day.getDate() + " " + MONTHS[day.getMonth()]; }

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

  /* ---------- Teacher ---------- */

  var lesson = null;

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
    }).catch(function (error) { show(box, error.message, "error"); });

    $("#lesson-form").addEventListener("submit", recordLesson);
  }

  var currentCourse = null;

  function openCourse(course) {
    currentCourse = course;
    lesson = null;
    $("#course").hidden = false;
    $("#course-title").textContent = course.class_name + " · " + course.subject_name;
    var form = $("#lesson-form");
    form.reset();
    form.elements.date.value = isoDate(new Date());
    show($("#lesson-status"), "Запишите урок, затем выставите отметки и пропуски.", "");
    var tbody = clear($("#class-list tbody"));
    var base = "/gradebook/schools/" + course.school_id;
    Promise.all([api("GET", base + "/courses/" + course.id + "/students"), api("GET", base + "/work-types")])
      .then(function (results) { renderClassList(tbody, results[0], results[1]); })
      .catch(function (error) { show($("#lesson-status"), error.message, "error"); });
  }

  function options(select, pairs) {
    pairs.forEach(function (pair) { select.appendChild(el("option", { value: pair[0], text: pair[1] })); });
    return select;
  }

  function renderClassList(tbody, students, workTypes) {
    if (!students.length) {
      tbody.appendChild(el("tr", {}, [el("td", { colspan: "5", "class": "hint", text: "В классе пока нет обучающихся." })]));
      return;
    }
    var workTypeOptions = workTypes.map(function (w) { return [w.code, w.title]; });
    students.forEach(function (student) {
      var status = el("span", { "class": "status" });
      var mark = options(el("select", { "aria-label": "Отметка", disabled: "" }),
        [["", "—"]].concat(MARKS.map(function (m) { return [m, m]; })));
      var workType = options(el("select", { "aria-label": "Вид работы", disabled: "" }), workTypeOptions);
      var absence = options(el("select", { "aria-label": "Пропуск", disabled: "" }),
        [["", "—"]].concat(ABSENCES));
      var saved = { markId: null };
      mark.addEventListener("change", function () { saveMark(student, mark, workType, saved, status); });
      absence.addEventListener("change", function () { saveAbsence(student, absence, status); });
      tbody.appendChild(el("tr", { "data-student": student.student_id }, [
        el("td", { text: student.name || "(данные ещё загружаются)" }),
        el("td", {}, [mark]), el("td", {}, [workType]), el("td", {}, [absence]), el("td", {}, [status])
      ]));
    });
  }

  function recordLesson(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var status = $("#lesson-status");
    var body = {
      course_id: currentCourse.id,
      date: form.elements.date.value,
      topic: form.elements.topic.value.trim(),
      homework: form.elements.homework.value.trim() || null
    };
    show(status, "Сохраняю…", "");
    api("POST", "/gradebook/schools/" + currentCourse.school_id + "/lessons", body).then(function (saved) {
      lesson = saved;
      show(status, "Урок " + humanDate(parseDate(saved.date)) + " записан: «" + saved.topic + "». Выставьте отметки и пропуски.", "ok");
      Array.prototype.forEach.call(document.querySelectorAll("#class-list select"), function (s) { s.disabled = false; });
    }).catch(function (error) { show(status, error.message, "error"); });
  }

  function saveMark(student, mark, workType, saved, status) {
    if (!mark.value) {
      show(status, saved.markId ? "Отметку можно заменить другой." : "", "");
      return;
    }
    var base = "/gradebook/schools/" + currentCourse.school_id;
    var request = saved.markId
      ? api("PATCH", base + "/marks/" + saved.markId, { value: mark.value })
      : api("POST", base + "/lessons/" + lesson.id + "/marks",
        { student_id: student.student_id, value: mark.value, work_type: workType.value });
    show(status, "Сохраняю…", "");
    request.then(function (result) {
      saved.markId = result.id;
      workType.disabled = true;
      show(status, "Отметка " + result.value + " сохранена", "ok");
    }).catch(function (error) { show(status, error.message, "error"); });
  }

  /** Attendance learns of a new lesson by an event; until then it answers 409, so try again shortly. */
  function saveAbsence(student, absence, status) {
    if (!absence.value) { show(status, "", ""); return; }
    var path = "/attendance/schools/" + currentCourse.school_id + "/lessons/" + lesson.id + "/absences";
    var body = { student_id: student.student_id, reason: absence.value };
    show(status, "Сохраняю…", "");
    var attempt = function (left) {
      return api("POST", path, body).catch(function (error) {
        if (error.status === 409 && /ещё не получен/.test(error.message) && left > 0) {
          return sleep(500).then(function () { return attempt(left - 1); });
        }
        throw error;
      });
    };
    attempt(6).then(function () {
      show(status, "Пропуск «" + absence.value + "» сохранён", "ok");
    }).catch(function (error) { show(status, error.message, "error"); });
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
          marks.appendChild(el("span", { "class": "mark m" + m.value, title: family.workTypes[m.work_type] || m.work_type, text: m.value }));
        });
        if (item.absence) {
          marks.appendChild(el("span", { "class": "absence", title: "Пропуск", text: item.absence.code }));
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
          el("div", { "class": "hint", text: new Date(n.created_at).toLocaleString("ru-RU") })
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
