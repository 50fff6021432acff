import { describe, expect, it } from 'vitest';
import { joinLink, parseJoinLink } from './join-link';

describe('join links', () => {
  it.each([
    [joinLink('https://hub.example.org'), 'https://hub.example.org'],
    [joinLink('http://192.168.1.20:4710/'), 'http://192.168.1.20:4710'],
    [joinLink('https://example.org/studyshare'), 'https://example.org/studyshare'],
    ['STUDYSHARE://join?hub=https%3A%2F%2Fhub.example.org', 'https://hub.example.org'],
  ])('reads the hub address back from %s', (link, hub) => {
    expect(parseJoinLink(link)).toBe(hub);
  });

  it.each([
    'https://hub.example.org',
    'studyshare://join?hub=',
    'studyshare://join?hub=javascript%3Aalert(1)',
    'studyshare://join?hub=https%3A%2F%2Fuser%3Apass%40hub.example.org',
    'studyshare://join?hub=%E0%A4%A',
    'studyshare://join?hub=https%3A%2F%2Fhub.example.org&token=secret',
    'studyshare://open?hub=https%3A%2F%2Fhub.example.org',
  ])('refuses %s', (link) => {
    expect(parseJoinLink(link)).toBeNull();
  });
});
