dnl The smoke input of stage 2c0: a macro with an argument, a diversion undone at the end,
dnl eval and esyscmd (run by the shell configured with --with-syscmd-shell).
define(`greet', `hello, $1')dnl
define(`twice', `$1$1')dnl
divert(`1')last
divert(`0')dnl
greet(`m4'): twice(`ab') eval(6 * 7) esyscmd(`echo from ash')dnl
