/** The journal's absence codes and what they mean, for the teacher's journal and the family's diary. */
export const ABSENCE_CODES = ["Н", "Б", "У", "О"];
export const ABSENCE_MEANINGS = {
  "Н": "без уважительной причины", "Б": "по болезни", "У": "по уважительной причине", "О": "опоздание"
};

export function absenceLabel(code) { return code + " — " + ABSENCE_MEANINGS[code]; }
