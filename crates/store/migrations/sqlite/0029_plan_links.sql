-- Reserved for issue 19; filled in by its part.
select 1;
