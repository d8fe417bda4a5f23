import { MaskgenError, quote } from '@maskgen/core';

const SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
const COMMIT = /^[0-9a-f]{40}$/;

/**
 * Repo ids become folder names (`models--owner--name`) and URL paths: anything beyond the hub's own
 * rules (`owner/name`, letters, digits, `._-`, no `--` or `..`) could escape the cache or the URL.
 */
export function validateRepoId(repoId: unknown, argument = 'repoId'): string {
  const parts = typeof repoId === 'string' ? repoId.split('/') : [];
  if (parts.length !== 2 || parts.some((p) => !SEGMENT.test(p) || p.includes('--') || p.includes('..'))) {
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `${argument} ${quote(repoId)} is not a valid Hugging Face repo id: expected "owner/name", each part 1-96 letters, digits, "." "_" "-", not starting or ending with "." or "-", without "--" or ".."`,
    );
  }
  return repoId as string;
}

/**
 * Repo file names are joined onto cache and folder paths: reject absolute paths, `.`/`..` segments,
 * empty segments, backslashes, drive letters and control characters before anything touches the disk.
 */
export function validateFileName(file: unknown, argument = 'file'): string {
  const bad = (why: string) =>
    new MaskgenError(
      'INVALID_ARGUMENT',
      `${argument} ${quote(file)} is not a valid repo file name: ${why}; expected a relative path like "config.json" or "text/model.safetensors"`,
    );
  if (typeof file !== 'string' || file.length === 0) throw bad('it is empty or not a string');
  if (file.length > 1024) throw bad('it is longer than 1024 characters');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\:]/.test(file)) throw bad('it contains a backslash, a colon or a control character');
  if (file.startsWith('/')) throw bad('it is an absolute path');
  for (const seg of file.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw bad('it has an empty, "." or ".." segment');
  }
  return file;
}

/** Revisions are branch names, tags (`v1.0`, `refs/pr/3`) or 40-hex commits; they become `refs/` paths. */
export function validateRevision(revision: unknown, argument = 'revision'): string {
  const ok =
    typeof revision === 'string' &&
    revision.length > 0 &&
    revision.length <= 256 &&
    revision.split('/').every((s) => /^[A-Za-z0-9._-]+$/.test(s) && s !== '.' && s !== '..');
  if (!ok) {
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `${argument} ${quote(revision)} is not a valid revision: expected a branch, a tag or a 40-hex commit (letters, digits, "._-", "/" between parts)`,
    );
  }
  return revision as string;
}

/** True for full commit hashes, which pin content and need no ref look-up. */
export function isCommitHash(revision: string): boolean {
  return COMMIT.test(revision);
}

/** The cache folder name Python's huggingface_hub uses for a model repo. */
export function repoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

/** The resolve URL of a file: revision escaped as one segment, file path segments escaped one by one. */
export function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}
