-- Reserved for issue 20 (documents); filled in by its part.
select 1;
