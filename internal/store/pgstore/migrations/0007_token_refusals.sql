-- How many logins refused for their credentials gave a token back, so that
-- the Connect widget of a customer that requires tokens can take a retyped
-- password with the token it holds, a bounded number of times.
ALTER TABLE authorize_tokens ADD COLUMN refusals integer NOT NULL DEFAULT 0;
