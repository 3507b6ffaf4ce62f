package io.waterhealer.kafka;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.HealingListener;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds {@link HealingListener} methods on beans as they are initialized, like spring-kafka does for
 * {@code @KafkaListener}. It only collects them; {@link HealingListenerRegistrar} turns them into endpoints once
 * every singleton exists, when spring-kafka asks its {@code KafkaListenerConfigurer}s for endpoints.
 */
public class HealingListenerAnnotationBeanPostProcessor implements BeanPostProcessor {

	private final List<AnnotatedListenerMethod> methods = new ArrayList<>();

	private final Set<Class<?>> classesWithoutListeners = ConcurrentHashMap.newKeySet();

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.classesWithoutListeners.contains(targetClass)) {
			return bean;
		}
		Map<Method, HealingListener> annotated = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<HealingListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, HealingListener.class));
		if (annotated.isEmpty()) {
			this.classesWithoutListeners.add(targetClass);
			return bean;
		}
		synchronized (this.methods) {
			annotated.forEach((method, annotation) -> this.methods.add(new AnnotatedListenerMethod(beanName, bean,
					AopUtils.selectInvocableMethod(method, bean.getClass()), annotation)));
		}
		return bean;
	}

	/**
	 * The listener methods found so far, in the order their beans were initialized.
	 * @return the methods
	 */
	public List<AnnotatedListenerMethod> methods() {
		synchronized (this.methods) {
			return List.copyOf(this.methods);
		}
	}

	/**
	 * A {@link HealingListener} method of a bean.
	 *
	 * @param beanName the bean's name
	 * @param bean the bean (possibly a proxy)
	 * @param method the method to invoke on the bean
	 * @param annotation the annotation
	 */
	public record AnnotatedListenerMethod(String beanName, Object bean, Method method, HealingListener annotation) {

		String defaultId() {
			return this.beanName + "." + this.method.getName();
		}

	}

}
