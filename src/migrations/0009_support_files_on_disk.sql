-- Screenshots move out of the database (ADR 0025): new rows name a file under FILES_DIR and keep
-- its size and SHA-256; rows written before this migration keep their bytes and are still served
-- from here, so nothing has to be copied while the migration holds its lock.
alter table support_case_attachments
  add column storage_key text check (storage_key ~ '^[a-z]+/[0-9a-f]{2}/[0-9a-f-]{36}$'),
  add column sha256 text;

update support_case_attachments set sha256 = encode(sha256(content), 'hex') where content is not null;

alter table support_case_attachments
  alter column sha256 set not null,
  add constraint support_case_attachments_sha256 check (sha256 ~ '^[0-9a-f]{64}$'),
  alter column content drop not null,
  drop constraint support_case_attachments_check,
  add constraint support_case_attachments_bytes_in_one_place
    check ((content is null) <> (storage_key is null)),
  add constraint support_case_attachments_content_size
    check (content is null or octet_length(content) = size_bytes);
