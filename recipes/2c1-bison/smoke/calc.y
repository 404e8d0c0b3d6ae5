/* The smoke grammar of stage 2c1: an infix calculator (precedence, associativity, a semantic
   value per token), one result per line; a syntax error names what was expected. */
%{
#include <ctype.h>
#include <stdio.h>
int yylex(void);
void yyerror(const char *message);
%}
%define parse.error verbose
%token NUM
%left '+' '-'
%left '*' '/'
%%
input: %empty | input line;
line: '\n' | exp '\n' { printf("%d\n", $1); };
exp: NUM
   | exp '+' exp { $$ = $1 + $3; }
   | exp '-' exp { $$ = $1 - $3; }
   | exp '*' exp { $$ = $1 * $3; }
   | exp '/' exp { $$ = $1 / $3; }
   | '(' exp ')' { $$ = $2; };
%%
int yylex(void) {
    int c;
    while ((c = getchar()) == ' ')
        continue;
    if (isdigit(c)) {
        int value = c - '0';
        while (isdigit(c = getchar()))
            value = value * 10 + (c - '0');
        ungetc(c, stdin);
        yylval = value;
        return NUM;
    }
    return c == EOF ? 0 : c;
}
void yyerror(const char *message) {
    fprintf(stderr, "%s\n", message);
}
int main(void) {
    return yyparse();
}
