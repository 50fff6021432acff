import { describe, expect, it } from 'vitest';
import { personNameKey, physicianLabel, splitPersonName } from './name-key';

describe('personNameKey: one key whatever the accents, case, order and honorifics', () => {
  it.each([
    ['DICOM family^given', 'Physician^Paula', 'paula physician'],
    ['upper case, given first, free text', 'PAULA PHYSICIAN', 'paula physician'],
    ['accents stripped', 'Núñez^Óscar', 'nunez oscar'],
    ['the same without accents', 'NUNEZ^OSCAR', 'nunez oscar'],
    ['"Family, Given"', 'Núñez, Óscar', 'nunez oscar'],
    ['DICOM prefix and suffix dropped', 'Physician^Paula^^Dr^MD', 'paula physician'],
    ['an honorific typed into the name', 'Dr. Paula Physician', 'paula physician'],
    ['the middle name kept', 'Smith^John^Q', 'john q smith'],
    ['only the alphabetic group (before =)', 'Yamada^Tarou=山田^太郎', 'tarou yamada'],
    ['hyphens split words', 'Jean-Luc^Picard', 'jean luc picard'],
    ['ß folds', 'Strauß^Anna', 'anna strauss'],
    ['nothing left is no key', '^^^Dr', ''],
  ])('%s', (_case, name, key) => {
    expect(personNameKey(name)).toBe(key);
  });
  it('tells different people apart', () => {
    expect(personNameKey('Physician^Paula')).not.toBe(personNameKey('Physician^Pauline'));
  });
});

describe('splitPersonName and physicianLabel', () => {
  it.each([
    ['Physician^Paula^Marie', { familyName: 'Physician', givenNames: 'Paula Marie' }],
    ['Núñez, Óscar', { familyName: 'Núñez', givenNames: 'Óscar' }],
    ['Dr Paula Physician', { familyName: 'Physician', givenNames: 'Paula' }],
  ])('%s', (name, parts) => {
    expect(splitPersonName(name)).toEqual(parts);
  });
  it('says Dr once', () => {
    expect(physicianLabel('Paula Physician')).toBe('Dr Paula Physician');
    expect(physicianLabel('Dr. Paula Physician')).toBe('Dr. Paula Physician');
  });
});
