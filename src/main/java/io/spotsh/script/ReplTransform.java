package io.spotsh.script;

import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.EmptyExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.Token;
import org.codehaus.groovy.syntax.Types;

import java.util.List;

/**
 * Makes {@code def x = 1} typed at the prompt survive to the next line: a top-level declaration in a
 * shell line becomes an assignment to the shared binding. Only the line's own top level is rewritten;
 * declarations inside closures, loops and methods keep their usual local scope. Runs before variable
 * scoping so the rewritten name resolves to the binding.
 */
final class ReplTransform extends CompilationCustomizer {

    ReplTransform() {
        super(CompilePhase.CONVERSION);
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.isScript()) {
            return;
        }
        MethodNode run = classNode.getMethod("run", org.codehaus.groovy.ast.Parameter.EMPTY_ARRAY);
        if (run == null || !(run.getCode() instanceof BlockStatement)) {
            return;
        }
        List<Statement> statements = ((BlockStatement) run.getCode()).getStatements();
        for (int i = 0; i < statements.size(); i++) {
            Statement rewritten = rewrite(statements.get(i));
            if (rewritten != null) {
                statements.set(i, rewritten);
            }
        }
    }

    private static Statement rewrite(Statement statement) {
        if (!(statement instanceof ExpressionStatement)) {
            return null;
        }
        Expression expression = ((ExpressionStatement) statement).getExpression();
        if (!(expression instanceof DeclarationExpression)) {
            return null;
        }
        DeclarationExpression declaration = (DeclarationExpression) expression;
        if (declaration.isMultipleAssignmentDeclaration()) {
            return null; // def (a, b) = ... stays local to the line
        }
        VariableExpression variable = declaration.getVariableExpression();
        Expression value = declaration.getRightExpression();
        if (value == null || value instanceof EmptyExpression) {
            value = ConstantExpression.NULL;
        }
        VariableExpression target = new VariableExpression(variable.getName());
        target.setSourcePosition(variable);
        BinaryExpression assignment = new BinaryExpression(target, Token.newSymbol(Types.ASSIGN,
                declaration.getOperation().getStartLine(), declaration.getOperation().getStartColumn()), value);
        assignment.setSourcePosition(declaration);
        ExpressionStatement replaced = new ExpressionStatement(assignment);
        replaced.setSourcePosition(statement);
        replaced.copyStatementLabels(statement);
        return replaced;
    }
}
